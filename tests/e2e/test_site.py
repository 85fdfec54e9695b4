"""The whole site as a newcomer's browser meets it (issue 15): a cold first visit stays small,
nothing breaks the Content-Security-Policy, and cards laid side by side line up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.django_db(transaction=True)]

# The budget of a cold first visit to the home page: HTML, CSS, scripts, fonts and images.
COLD_HOME_BUDGET_BYTES = 1_000_000
BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_as_in_production(tmp_path):
    """The portal as production serves it: static files collected and compressed by
    whitenoise's storage, DEBUG off, gunicorn on 127.0.0.1 against the test database."""
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - http on 127.0.0.1
                    break
            except OSError:
                if web.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not start: {(tmp_path / 'gunicorn.log').read_text()}"
                    )
                time.sleep(0.3)
        yield url
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()


def test_a_cold_first_visit_to_the_home_page_transfers_under_one_megabyte(
    served_as_in_production,
):
    from playwright.sync_api import sync_playwright

    sizes: dict[str, int] = {}
    failed: list[str] = []
    console_errors: list[str] = []

    def finished(request) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul").new_page()
            page.on("requestfinished", finished)
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on(
                "console",
                lambda message: (
                    console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            response = page.goto(f"{served_as_in_production}/", wait_until="networkidle")
            assert response.status == 200
        finally:
            browser.close()

    assert failed == []
    assert console_errors == []
    total = sum(sizes.values())
    largest_first = sorted(sizes.items(), key=lambda item: -item[1])
    report = "\n".join(f"{size:>9,} {url}" for url, size in largest_first)
    print(f"cold home page: {total:,} bytes\n{report}")
    assert total < COLD_HOME_BUDGET_BYTES, f"{total:,} bytes:\n{report}"
    # The Korean text is drawn in Pretendard GOV from a few subsets, never the whole 5 MB font.
    fonts = [url for url in sizes if url.endswith(".woff2")]
    assert 0 < len(fonts) < 40, report
    assert all("PretendardGOVVariable.subset." in url for url in fonts), report
