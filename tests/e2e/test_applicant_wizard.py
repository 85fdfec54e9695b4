"""The applicant's wizard as people use it (issue 15): by clicking only, from sign-in to the
match results with amounts typed in 억; by keyboard alone; and warned before leaving edits
that are not saved, while the valid ones are.

The browser does everything; the database is only read at the end, to check that what the
pages said is what was stored.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Proposal
from tests.e2e.helpers import DEMO_PASSWORD, Shots, in_db
from tests.files import pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

# How long the worker may take to score a submission on a slow machine.
WORKER_TIMEOUT_MS = 30_000

expect.set_options(timeout=10_000)

EOK = 10**8


def _sign_in_by_clicking(page: Page, base: str) -> None:
    """From the home page: the header's 로그인, the form, its button."""
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator("#krds-header a.login").click()
    page.locator("#id_username").fill("applicant")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.portal-form button[type=submit]").click()
    expect(page.locator("#krds-header .portal-user")).to_contain_text("applicant")


def _tick(page: Page, box_selector: str) -> None:
    """Tick a KRDS check box by clicking its label, as a person does."""
    box = page.locator(box_selector)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def _drop_file(page: Page, zone_selector: str, name: str, content: bytes) -> None:
    """Drag a file from the desktop onto the drop zone (a real drop event with the file)."""
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], name, {type: "application/pdf"});
            transfer.items.add(file);
            return transfer;
        }""",
        [name, list(content)],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(zone_selector, event, {"dataTransfer": transfer})


def test_an_applicant_clicks_from_sign_in_to_results_typing_amounts_in_eok(
    browser_page, live_server
):
    page, base, shot = browser_page, live_server.url, Shots("applicant-by-clicking")

    # Given the demo applicant of 현대자동차, signed in from the home page
    _sign_in_by_clicking(page, base)
    shot(page, "workspace")

    # When they start a proposal from the workspace and create the draft
    with page.expect_navigation():
        page.locator("main a.krds-btn.primary", has_text="새 제안서").click()
    page.locator("#id_title").fill("아산공장 e-Axle 라인 AI 품질검사")
    page.locator("#id_summary").fill("아산공장 e-Axle 조립 라인에 AI 비전 품질검사를 도입합니다.")
    page.locator("#id_sub_alliance").select_option(label="AI 팩토리")
    page.locator("#id_industry").select_option(label="미래형 이동수단")
    page.locator("#id_project_type").select_option(value="ax_conversion")
    _tick(page, "#id_ai_related")
    with page.expect_navigation():
        page.get_by_role("button", name="초안 만들기").click()

    # Then the wizard continues with step 2, where partners are found by searching
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit/2/$"))
    pk = int(re.search(r"/proposals/(\d+)/", page.url).group(1))
    _tick(page, "input[name=fund_uses][value=facility]")
    page.locator("#id_structure").select_option(value="corporate")
    page.locator("#id_region").select_option(value="chungnam")
    page.locator("#id_start_date").fill("2026-03-01")
    page.locator("#id_end_date").fill("2028-12-31")
    page.locator("#id_trl").select_option(value="7")
    page.locator("#id_partners_search").fill("마키나")
    partners = page.locator("#id_partners_list li[data-partner-name]:visible")
    expect(partners).to_have_count(1)
    expect(partners).to_contain_text("마키나락스")
    _tick(page, "li[data-partner-name='마키나락스'] input")
    shot(page, "step2-partner-search")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()

    # ... step 3: the amounts as people say them, each read back in words as it is typed
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/3/")
    typed = {
        "total_cost_krw": ("4200억", "= 4,200억원"),
        "requested_krw": ("1,800억원", "= 1,800억원"),
        "private_coinvest_krw": ("2400억", "= 2,400억원"),
        "expected_value_added_krw": ("1.5조", "= 1조 5,000억원"),
    }
    for name, (text, words) in typed.items():
        page.locator(f"#id_{name}").press_sequentially(text)
        expect(page.locator(f"#id_{name}_krw")).to_have_text(words)
    page.locator("#id_expected_jobs").fill("120")
    shot(page, "step3-amounts-in-eok")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()

    # ... step 4: the review, and the business plan dropped on the upload zone
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/4/")
    expect(page.locator("dd[data-field=requested_krw]")).to_have_text("1,800억원")
    page.locator("#id_kind").select_option(value="business_plan")
    _drop_file(page, "[data-drop-zone]", "사업계획서_아산.pdf", pdf_bytes("Asan e-Axle AI QA"))
    expect(page.locator("#id_file_chosen")).to_have_text("사업계획서_아산.pdf")
    page.locator("#proposal-documents").get_by_role("button", name="올리기").click()
    expect(page.locator("#proposal-documents li[data-document]")).to_have_count(1)
    shot(page, "step4-dropped-plan")
    with page.expect_navigation():
        page.get_by_role("link", name="제출 단계로").click()
    with page.expect_navigation():
        page.get_by_role("button", name="제안서 제출").click()

    # Then the proposal page shows the results once the worker has scored them, eligibility
    # first: the recommended channel heads them, and is an eligible one.
    expect(page).to_have_url(f"{base}/proposals/{pk}/")
    cards = page.locator(f"#match-results-{pk} article.match-result")
    expect(cards).to_have_count(4, timeout=WORKER_TIMEOUT_MS)
    shown = cards.evaluate_all("els => els.map(e => [e.dataset.channel, e.dataset.eligible])")
    eligible = [channel for channel, flag in shown if flag == "true"]
    recommended = page.locator(f"#match-results-{pk} [data-testid=recommended-channel]")
    expect(recommended).to_have_attribute("data-channel", eligible[0] if eligible else "")
    for channel, flag in shown:
        bar = page.locator(f"#match-results-{pk} [data-channel={channel}] progress")
        expect(bar).to_have_count(1 if flag == "true" else 0)
    shot(page, "results")

    def stored():
        proposal = Proposal.objects.get(pk=pk)
        return (
            proposal.status,
            proposal.total_cost_krw,
            proposal.requested_krw,
            proposal.private_coinvest_krw,
            proposal.expected_value_added_krw,
            [p.name for p in proposal.partners.all()],
            list(proposal.documents.values_list("original_name", flat=True)),
        )

    assert in_db(stored) == (
        "submitted",
        4200 * EOK,
        1800 * EOK,
        2400 * EOK,
        15000 * EOK,
        ["마키나락스"],
        ["사업계획서_아산.pdf"],
    )


# ---------------------------------------------------------------------------------------------
# By keyboard alone


def _tab_to(page: Page, selector: str, *, limit: int = 200) -> None:
    """Press Tab until `selector` has the focus: it is reachable by keyboard, in order."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def _choose(page: Page, selector: str, *, value: str) -> None:
    """Choose an option of a focused-by-Tab select with the arrow keys."""
    _tab_to(page, selector)
    values = page.locator(f"{selector} option").evaluate_all("os => os.map(o => o.value)")
    current = values.index(page.locator(selector).input_value())
    target = values.index(value)
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    expect(page.locator(selector)).to_have_value(value)


def _type_date(page: Page, selector: str, iso: str) -> None:
    """Type a date into the browser's date field, segment by segment (month, day, year: the
    order headless Chromium lays out whatever the page's language)."""
    _tab_to(page, selector)
    year, month, day = iso.split("-")
    page.keyboard.type(month + day + year)
    expect(page.locator(selector)).to_have_value(iso)


def test_the_wizard_is_completed_by_keyboard_alone(browser_page, live_server):
    page, base, shot = browser_page, live_server.url, Shots("applicant-by-keyboard")
    plan = pdf_bytes("keyboard business plan")
    _sign_in_by_clicking(page, base)  # the journey under test starts in the workspace

    # Step 1, reached from the workspace's own button
    _tab_to(page, "main a.krds-btn.primary[href$='/proposals/new/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "#id_title")
    page.keyboard.type("키보드로 쓴 AI 물류 자동화 제안")
    _tab_to(page, "#id_summary")
    page.keyboard.type("물류센터에 AI 분류 로봇을 도입합니다.")
    _choose(page, "#id_sub_alliance", value=_option_value(page, "#id_sub_alliance", "AI 팩토리"))
    _choose(page, "#id_industry", value=_option_value(page, "#id_industry", "로봇"))
    _choose(page, "#id_project_type", value="ax_conversion")
    _tab_to(page, "#id_ai_related")
    page.keyboard.press("Space")
    expect(page.locator("#id_ai_related")).to_be_checked()
    _tab_to(page, "form.portal-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Step 2: check boxes with Space, the partner found by typing in the search box
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit/2/$"))
    pk = int(re.search(r"/proposals/(\d+)/", page.url).group(1))
    _tab_to(page, "input[name=fund_uses][value=facility]")
    page.keyboard.press("Space")
    _choose(page, "#id_structure", value="corporate")
    _choose(page, "#id_region", value="gyeonggi")
    _type_date(page, "#id_start_date", "2026-03-01")
    _type_date(page, "#id_end_date", "2028-12-31")
    _choose(page, "#id_trl", value="6")
    _tab_to(page, "#id_partners_search")
    page.keyboard.type("두산")
    _tab_to(page, "li[data-partner-name='두산로보틱스'] input")
    page.keyboard.press("Space")
    expect(page.locator("li[data-partner-name='두산로보틱스'] input")).to_be_checked()
    shot(page, "step2")
    _tab_to(page, "button[name=action][value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Step 3: amounts typed in 억
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/3/")
    for name, text in (
        ("total_cost_krw", "900억"),
        ("requested_krw", "500억"),
        ("private_coinvest_krw", "300억"),
    ):
        _tab_to(page, f"#id_{name}")
        page.keyboard.type(text)
    expect(page.locator("#id_requested_krw_krw")).to_have_text("= 500억원")
    _tab_to(page, "button[name=action][value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Step 4: the file chosen from the focused input, uploaded, then submission
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/4/")
    _choose(page, "#id_kind", value="business_plan")
    # Playwright intercepts file choosers once something listens for them.
    page.on("filechooser", lambda _chooser: None)
    _tab_to(page, "#id_file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(
        files=[{"name": "계획서.pdf", "mimeType": "application/pdf", "buffer": plan}]
    )
    _tab_to(page, "#proposal-documents button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#proposal-documents li[data-document]")).to_have_count(1)
    _tab_to(page, f"a[href$='/proposals/{pk}/submit/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "form.portal-actions button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Then it is submitted with everything typed
    expect(page).to_have_url(f"{base}/proposals/{pk}/")
    shot(page, "submitted")

    def stored():
        proposal = Proposal.objects.get(pk=pk)
        return (
            proposal.status,
            proposal.title,
            proposal.region,
            proposal.trl,
            proposal.start_date.isoformat(),
            proposal.requested_krw,
            [p.name for p in proposal.partners.all()],
        )

    assert in_db(stored) == (
        "submitted",
        "키보드로 쓴 AI 물류 자동화 제안",
        "gyeonggi",
        6,
        "2026-03-01",
        500 * EOK,
        ["두산로보틱스"],
    )


def _option_value(page: Page, selector: str, label: str) -> str:
    return page.locator(f"{selector} option", has_text=label).first.get_attribute("value")


# ---------------------------------------------------------------------------------------------
# Nothing lost on leaving


def test_leaving_with_a_refused_field_warns_and_the_valid_edits_are_kept(browser_page, live_server):
    page, base = browser_page, live_server.url
    _sign_in_by_clicking(page, base)
    with page.expect_navigation():
        page.locator("main a.krds-btn.primary", has_text="새 제안서").click()
    page.locator("#id_title").fill("떠나기 전 경고 확인")
    with page.expect_navigation():
        page.get_by_role("button", name="초안 만들기").click()
    pk = int(re.search(r"/proposals/(\d+)/", page.url).group(1))
    with page.expect_navigation():
        page.locator(".krds-step-wrap a", has_text="투자 규모").click()

    # When one amount is typed wrong and another right, and autosave answers
    page.locator("#id_total_cost_krw").fill("사천억")
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as answer:
        page.locator("#id_requested_krw").fill("1,800억")
        page.locator("#id_requested_krw").blur()
    assert answer.value.status == 422
    expect(page.locator("#id_total_cost_krw_error .form-hint-invalid")).to_have_count(1)

    # Then leaving the page asks first; staying keeps the page as it was
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#portal-nav a[href='/workspace/']").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/3/")

    # And the valid amount was saved while the wrong one waits on its field
    assert in_db(
        lambda: Proposal.objects.values_list("requested_krw", "total_cost_krw").get(pk=pk)
    ) == (1800 * EOK, None)
