"""Fixtures of the browser journeys: Debian's Chromium driven by Playwright, against
pytest-django's live server, with the demo world seeded and a real Celery worker.

The live server runs in a thread of this process and the worker in its own process; both use
the test database, so the tests are `django_db(transaction=True)`: what a page writes is
committed and the worker sees it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.celery_worker import CeleryWorker, celery_worker_factory  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a slow CI machine, short enough that a broken page fails fast.
ACTION_TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    """Where the worker's file-based mail backend writes every message it sends."""
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def demo_world(celery_worker_factory):  # noqa: F811
    """The demo world of `manage.py seed_demo`: users applicant, keit, kdb (demo1234!), the
    channels, the seeded proposals and the information site's events.

    Seeded after the broker is purged (by celery_worker_factory) and before the worker starts,
    so the scoring of the seeded proposals is queued and the worker does it, as in `make run`.
    """
    call_command("seed_demo", stdout=open(os.devnull, "w"))


@pytest.fixture
def worker(
    celery_worker_factory,  # noqa: F811
    demo_world,
    live_server,
    mail_dir,
    settings,
) -> CeleryWorker:
    """A real worker on every queue; its mail goes to `mail_dir`. Links in mail point at the
    live server, from the web side (which writes most mail into the outbox) and the worker's."""
    settings.SITE_URL = live_server.url
    return celery_worker_factory(
        concurrency=2,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": live_server.url,
        },
    )


@pytest.fixture
def browser_page(worker) -> Iterator:
    """A fresh Chromium page (Korean, Asia/Seoul); the browser closes after the test.

    Set up after every fixture that writes to the database: while Playwright runs, ORM code in
    this thread must go through helpers.in_db.
    """
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", viewport=VIEWPORT)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
