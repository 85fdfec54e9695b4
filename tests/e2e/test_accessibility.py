"""axe-core (the npm package, pinned in package.json, read from node_modules) on every page of
each role's menu, in Korean and in English: no serious or critical violation, and no console
error (a CSP refusal shows there). With UPDATE_SCREENSHOTS=1 the landing screen of each role
is saved under docs/screenshots/ for the README."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.e2e.conftest import ACTION_TIMEOUT_MS, VIEWPORT
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

BASE_DIR = Path(settings.BASE_DIR)
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = BASE_DIR / "docs" / "screenshots"
ROLES = [None, "applicant", "keit", "kdb", "editor", "bank", "motie"]  # None: a visitor
LANGUAGES = ["ko", "en"]
# Pages that change data on a GET never exist; these only end the session or leave the site.
SKIPPED_PATHS = ("/accounts/logout/", "/admin/")


def _menu_paths(page, origin: str) -> list[str]:
    """The same-site pages the header menu and the footer link to, in order, once each."""
    hrefs = page.eval_on_selector_all(
        "#portal-nav a[href], #krds-footer a[href]", "links => links.map(a => a.href)"
    )
    paths: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIPPED_PATHS):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"][:5]],
        }
        for violation in result
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_has_no_serious_accessibility_violation(
    browser_page, live_server, language
):
    page = browser_page
    context = page.context
    origin = live_server.url
    found: dict[str, list[dict]] = {}
    errors: list[str] = []
    auditing = {"now": False}  # axe's own checks add inline styles, which the CSP refuses

    def console(message) -> None:
        if message.type == "error" and not auditing["now"]:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", console)
    visited = 0
    for role in ROLES:
        context.clear_cookies()
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin}]
        )
        if role is not None:
            sign_in(page, origin, role)
        else:
            page.goto(f"{origin}/")
        landing = urlsplit(page.url).path
        if os.environ.get("UPDATE_SCREENSHOTS") == "1" and language == "ko":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.set_viewport_size(VIEWPORT)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SCREENSHOTS / f"{role or 'visitor'}-landing.png"))
        for path in [landing, *_menu_paths(page, origin)]:
            response = page.goto(f"{origin}{path}", timeout=ACTION_TIMEOUT_MS * 3)
            assert response.status == 200, f"{role} {path}: {response.status}"
            visited += 1
            auditing["now"] = True
            problems = _violations(page)
            auditing["now"] = False
            if problems:
                found[f"{role or 'visitor'} {language} {path}"] = problems

    assert visited >= 40
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
    assert errors == []
