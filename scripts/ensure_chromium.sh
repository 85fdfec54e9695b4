#!/usr/bin/env bash
# Install Debian's Chromium (and its driver) for the browser tests in tests/e2e, if missing.
# Playwright drives this system browser through its executable path; it never downloads one.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ] && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium이 없고 apt-get도 없어 설치할 수 없습니다: 'chromium', 'chromium-driver' 패키지를 설치하세요." >&2
  echo "Chromium is missing and apt-get is not available: install the Debian packages 'chromium' and 'chromium-driver' (or set CHROMIUM to a Chromium binary)." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "Chromium 설치에는 root 권한이 필요합니다 / installing Chromium needs root (or sudo)." >&2
    exit 1
  fi
fi

echo "Chromium 설치 / installing chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "설치 후에도 $CHROMIUM 이 없습니다 / $CHROMIUM is still missing after the install." >&2
  exit 1
fi
