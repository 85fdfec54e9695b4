#!/usr/bin/env bash
# Restore a backup written by scripts/backup.sh into DATABASE_URL and MEDIA_ROOT.
#
#   scripts/restore.sh DIR
#
# The target database must exist (an empty one, or the one to replace: objects the backup
# holds are dropped and recreated). The files are unpacked into MEDIA_ROOT (default ./media).
# The checksums in DIR/manifest.txt are checked first; nothing is touched if one differs.
set -euo pipefail

dir="${1:?usage: scripts/restore.sh DIR}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
MEDIA_ROOT="${MEDIA_ROOT:-media}"

(cd "$dir" && grep -E '^[0-9a-f]{64}  ' manifest.txt | sha256sum --check --quiet)
pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="$DATABASE_URL" "$dir/db.dump"
mkdir -p "$MEDIA_ROOT"
tar -xzf "$dir/media.tar.gz" -C "$MEDIA_ROOT"
echo "복원 완료 / restored: $dir → ${DATABASE_URL##*/}, $MEDIA_ROOT"
