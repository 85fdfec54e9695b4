"""The site editor's journey in a real browser, by clicking only from the home page (no typed
address): sign in, open content management, write a notice as a draft, publish it, and find
it in the public notices."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fund.site.models import Notice
from tests.e2e.helpers import DEMO_PASSWORD, Shots, in_db

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

expect.set_options(timeout=10_000)

TITLE = "2026년 하반기 AX 투자 제안서 접수 일정 안내"
BODY = "하반기 제안서는 상시 접수합니다.\n분과별 설명회 일정은 행사 메뉴에서 확인하세요."


def test_the_editor_signs_in_writes_and_publishes_a_notice_by_clicking_only(
    browser_page, live_server
):
    page = browser_page
    shots = Shots("editor")
    page.goto(f"{live_server.url}/")  # the only address: where every visitor starts

    # Sign in from the header
    with page.expect_navigation():
        page.locator("#krds-header a.login").click()
    page.fill("#id_username", "editor")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.portal-form button[type=submit]")
    expect(page.locator("#krds-header .portal-user")).to_contain_text("editor")
    shots(page, "landing")

    # Content management → new notice, saved as a draft
    with page.expect_navigation():
        page.locator("#portal-nav a", has_text="콘텐츠 관리").click()
    expect(page.locator("h1")).to_have_text("콘텐츠 관리")
    with page.expect_navigation():
        page.locator("main a", has_text="새 공지").first.click()
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    shots(page, "notice-form")
    with page.expect_navigation():
        page.locator("main form.portal-form button[type=submit]").click()
    row = page.locator("main tr", has_text=TITLE)
    expect(row.locator(".krds-badge")).to_have_text("초안")
    assert in_db(lambda: Notice.objects.get(title=TITLE).published) is False

    # Publish it from the list
    with page.expect_navigation():
        row.get_by_role("button", name="게시", exact=True).click()
    row = page.locator("main tr", has_text=TITLE)
    expect(row.locator(".krds-badge")).to_have_text("게시")
    expect(row.get_by_role("button", name="게시 중단")).to_be_visible()
    shots(page, "published")

    # The public notices show it; its page shows the body
    with page.expect_navigation():
        page.locator("#portal-nav a", has_text="공지사항").click()
    with page.expect_navigation():
        page.locator("main a", has_text=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("하반기 제안서는 상시 접수합니다.")
    shots(page, "public-notice")

    notice = in_db(lambda: Notice.objects.values("published", "body").get(title=TITLE))
    # A browser sends a textarea's line breaks as CRLF; the lines are what was typed.
    assert notice["published"] is True
    assert notice["body"].splitlines() == BODY.splitlines()
