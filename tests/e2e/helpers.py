"""Small helpers for the browser journeys: signing in, screenshots, reading amounts and mail."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

from django.db import connections
from playwright.sync_api import Page, expect

T = TypeVar("T")

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DEMO_PASSWORD = "demo1234!"

# "3조 2,500억 10만 5,000원" → the four-digit groups of a Korean won amount (portal_tags.krw).
KRW_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4}
KRW_GROUP = re.compile(r"([0-9][0-9,]*)(조|억|만)?")


class Shots:
    """Numbered full-page screenshots of one journey: screenshots/<journey>/NN-name.png."""

    def __init__(self, journey: str) -> None:
        self.folder = SCREENSHOTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0
        self.taken: list[Path] = []

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        # From the top: once scrolled, the KRDS header is fixed and would be drawn mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        self.taken.append(path)
        return path


def in_db(read: Callable[[], T]) -> T:
    """Run ORM code while the browser is open, in a short-lived thread of its own.

    Playwright's sync API leaves its event loop registered as running in the test's thread, so
    Django takes that thread for an async context: the ORM refuses to run there, or (with
    DJANGO_ALLOW_ASYNC_UNSAFE) opens a second connection that is never closed and keeps the
    test database from being dropped. A plain thread has neither problem; its connection is
    closed when it is done. Return plain values, not querysets to evaluate later.
    """

    def run() -> T:
        try:
            return read()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page, as a person would, and wait for the page after it."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.portal-form button[type=submit]")
    expect(page.locator("#krds-header .portal-user")).to_contain_text(username)


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#krds-header form[action$='/logout/'] button").click()
    expect(page.locator("#krds-header .portal-user")).to_have_count(0)


def parse_krw_ko(text: str) -> int:
    """The integer won of an amount shown in Korean ("1조 5,000억원", "0원"); a source marker
    after the amount ("0원포털 집계", "50조원S1") is not part of it."""
    text = text.strip()
    if "원" in text:
        text = text[: text.index("원") + 1]
    if not text.endswith("원"):
        raise ValueError(f"not a Korean won amount: {text!r}")
    total = 0
    for number, unit in KRW_GROUP.findall(text.removesuffix("원").replace(" ", "")):
        total += int(number.replace(",", "")) * KRW_UNITS.get(unit, 1)
    return total


def reload_until(page: Page, ready: Callable[[], bool], *, timeout: float, every: float = 0.5):
    """Reload the page until `ready()` holds (work done by a worker elsewhere); fail on timeout."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} did not show the expected state in {timeout}s")
        time.sleep(every)
        page.reload()


def read_mail(mail_dir: Path) -> list[EmailMessage]:
    """Every message the file-based mail backend has written to `mail_dir`, oldest first."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        # One file per connection; the backend ends each message with a line of 79 dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.lstrip(), policy=policy.default))
    return messages


def wait_for_mail(
    mail_dir: Path, subject: str, *, timeout: float, to: str | None = None
) -> tuple[EmailMessage, str]:
    """The first message whose subject contains `subject` (sent to `to`, when given: the demo
    world mails its own registrants too), and its plain-text body, once the worker has sent
    it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in read_mail(mail_dir):
            body = message.get_body(preferencelist=("plain",))
            # A file read while the backend writes it can end mid-message: skip and read again.
            if to is not None and message["to"] != to:
                continue
            if subject in str(message["subject"]) and body is not None:
                return message, body.get_content()
        time.sleep(0.25)
    raise AssertionError(f"no mail about {subject!r} in {mail_dir} within {timeout}s")
