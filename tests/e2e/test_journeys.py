"""The three journeys of SPEC §2 in a real browser (issue 8): Debian's Chromium driven by
Playwright against the live server, with the demo world and a real Celery worker.

Each journey saves its key screens under tests/e2e/screenshots/<journey>/ for a person to
look at. The browser does everything a person does; the database is read only to check, at
the end, that what the pages said is what was stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Proposal, User
from alliance.proposals import services
from fund.capacity.models import Commitment
from fund.site.models import Event, EventKind, Registration, RegistrationStatus
from matching.models import MatchResult
from tests.e2e.helpers import (
    Shots,
    in_db,
    parse_krw_ko,
    reload_until,
    sign_in,
    sign_out,
    wait_for_mail,
)
from tests.factories import ProposalFactory
from tests.files import pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CHANNELS = ["direct", "indirect", "loan", "infra"]
# How long the worker may take for one piece of background work on a slow CI machine.
WORKER_TIMEOUT = 30.0

expect.set_options(timeout=10_000)


@contextmanager
def _autosaved(page: Page, **sent: str) -> Iterator[None]:
    """Do what the block does, then wait for the htmx autosave that sent `sent` (the last
    change) to be answered "saved": only then is everything typed so far stored."""

    def carries_the_last_change(response) -> bool:
        if not response.url.endswith("/autosave/"):
            return False
        form = parse_qs(response.request.post_data or "")
        return all(form.get(name) == [value] for name, value in sent.items())

    with page.expect_response(carries_the_last_change) as answer:
        yield
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#autosave-status .portal-autosave--saved")).to_be_visible()


def _tick(page: Page, selector: str) -> None:
    """Tick a KRDS checkbox by its label, as a person does (the styled label covers the box)."""
    box = page.locator(selector)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def _committed_krw(page: Page, base_url: str, channel: str) -> int:
    page.goto(f"{base_url}/channels/{channel}/")
    return parse_krw_ko(page.locator("[data-testid=committed]").inner_text())


def _home_committed_krw(page: Page, base_url: str, channel: str) -> int:
    page.goto(f"{base_url}/")
    card = page.locator(f"[data-channel={channel}] [data-figure=committed]")
    return parse_krw_ko(card.inner_text())


# ---------------------------------------------------------------------------------------------
# Journey 1: a member firm's employee writes, checks and submits a proposal


def test_an_applicant_writes_checks_and_submits_a_proposal_and_sees_four_channel_results(
    browser_page, live_server, tmp_path
):
    page, base, shot = browser_page, live_server.url, Shots("1-applicant")
    plan = tmp_path / "사업계획서.pdf"
    plan.write_bytes(pdf_bytes("Hyundai Motor AI robot line business plan"))

    # Given the demo applicant of 현대자동차, signed in
    sign_in(page, base, "applicant")
    shot(page, "workspace")

    # When they create the draft (step 1 without a draft yet)
    page.goto(f"{base}/proposals/new/")
    page.fill("#id_title", "울산 AI 로봇 생산라인 구축")
    page.fill("#id_summary", "울산공장에 AI 비전검사와 협동로봇을 도입합니다.")
    page.select_option("#id_sub_alliance", label="휴머노이드")
    page.select_option("#id_industry", label="로봇")
    page.select_option("#id_project_type", value="new_facility")
    _tick(page, "#id_ai_related")
    shot(page, "step1-new")
    with page.expect_navigation():
        page.get_by_role("button", name="초안 만들기").click()
    # Creating the draft continues with step 2.
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit/2/$"))
    pk = int(re.search(r"/proposals/(\d+)/", page.url).group(1))

    # ... back to step 1: a change is saved by htmx on its own
    with page.expect_navigation():
        page.get_by_role("link", name="이전 단계").click()
    summary = "울산공장에 AI 비전검사와 협동로봇 120대를 도입하는 신규 생산라인입니다."
    with _autosaved(page, summary=summary):
        page.fill("#id_summary", summary)
        page.locator("#id_summary").blur()
    shot(page, "step1-autosaved")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()

    # ... step 2: the plan, with a consortium partner
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/2/")
    with _autosaved(page, trl="7"):
        _tick(page, "input[name=fund_uses][value=facility]")
        _tick(page, "input[name=fund_uses][value=rnd]")
        page.select_option("#id_structure", value="corporate")
        page.select_option("#id_region", value="ulsan")
        page.fill("#id_start_date", "2026-03-01")
        page.fill("#id_end_date", "2028-12-31")
        page.select_option("#id_preferred_channel", value="")
        page.fill("#id_partners_search", "두산")
        _tick(page, "li[data-partner-name='두산로보틱스'] input")
        page.select_option("#id_trl", value="7")
    shot(page, "step2-plan")
    with page.expect_navigation():
        page.locator("button[name=action][value=next]").click()

    # ... step 3: the amounts, left by the step link without pressing save (autosave only)
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/3/")
    with _autosaved(page, expected_jobs="350"):
        page.fill("#id_total_cost_krw", "500,000,000,000")
        page.fill("#id_requested_krw", "300,000,000,000")
        page.fill("#id_private_coinvest_krw", "200,000,000,000")
        page.fill("#id_expected_value_added_krw", "800,000,000,000")
        page.fill("#id_expected_jobs", "350")
        page.locator("#id_expected_jobs").blur()
    # The amounts are also shown in words, from the autosave's answer.
    expect(page.locator("form.portal-form")).to_contain_text("3,000억원")
    shot(page, "step3-amounts")
    with page.expect_navigation():
        page.locator(".krds-step-wrap a", has_text="서류").click()

    # ... step 4: the review shows what autosave stored; the business plan is uploaded
    expect(page).to_have_url(f"{base}/proposals/{pk}/edit/4/")
    expect(page.locator(".form-hint-success")).to_be_visible()
    expect(page.locator("dd[data-field=requested_krw]")).to_have_text("3,000억원")
    expect(page.locator("dd[data-field=expected_jobs]")).to_have_text("350")
    page.select_option("#id_kind", value="business_plan")
    page.set_input_files("#id_file", str(plan))
    page.locator("#proposal-documents").get_by_role("button", name="올리기").click()
    expect(page.locator("#proposal-documents li[data-document]")).to_have_count(1)
    expect(page.locator("#proposal-documents")).to_contain_text("사업계획서.pdf")
    shot(page, "step4-review-and-plan")

    # ... on the draft's page they ask which channel fits (nothing is saved)
    page.goto(f"{base}/proposals/{pk}/")
    page.get_by_role("button", name=re.compile("어느 채널")).click()
    check = page.locator(f"#match-check-{pk} li[data-channel]")
    expect(check).to_have_count(4)
    shot(page, "draft-channel-check")
    assert in_db(lambda: MatchResult.objects.filter(proposal_id=pk).count()) == 0

    # ... and submit it through the confirmation page
    with page.expect_navigation():
        page.locator("[data-action=submit]").click()
    expect(page).to_have_url(f"{base}/proposals/{pk}/submit/")
    expect(page.locator("[data-missing]")).to_have_count(0)
    shot(page, "submit-confirmation")
    with page.expect_navigation():
        page.locator("form.portal-actions button[type=submit]").click()

    # Then the proposal page polls until the worker has scored it against the four channels
    expect(page).to_have_url(f"{base}/proposals/{pk}/")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")
    results = page.locator(f"#match-results-{pk} article.match-result")
    expect(results).to_have_count(4, timeout=WORKER_TIMEOUT * 1000)
    # Eligibility first: the recommended channel heads the results and is the first card.
    shown = results.evaluate_all("els => els.map(e => [e.dataset.channel, e.dataset.eligible])")
    assert sorted(channel for channel, _ in shown) == sorted(CHANNELS)
    eligible = [channel for channel, flag in shown if flag == "true"]
    assert [channel for channel, _ in shown[: len(eligible)]] == eligible
    recommended = page.locator(f"#match-results-{pk} [data-testid=recommended-channel]")
    expect(recommended).to_have_attribute("data-channel", eligible[0] if eligible else "")
    for article in results.all():
        article.locator("summary").click()
        reasons = article.locator("table tbody tr td:last-child").all_inner_texts()
        assert reasons and all(text.strip() for text in reasons), reasons
    shot(page, "submitted-with-results")

    # And what the pages showed is what was stored
    def read():
        proposal = Proposal.objects.get(pk=pk)
        return {
            "fields": (proposal.status, proposal.title, proposal.region, proposal.trl),
            "amounts": (proposal.total_cost_krw, proposal.requested_krw),
            "fund_uses": proposal.fund_uses,
            "partners": [p.name for p in proposal.partners.all()],
            "documents": list(proposal.documents.values_list("original_name", "kind")),
            "scored": sorted(proposal.match_results.values_list("channel_id", flat=True)),
            "actions": list(proposal.history.order_by("id").values_list("action", flat=True)),
        }

    stored = in_db(read)
    assert stored["fields"] == ("submitted", "울산 AI 로봇 생산라인 구축", "ulsan", 7)
    assert stored["amounts"] == (500 * 10**9, 300 * 10**9)
    assert stored["fund_uses"] == ["facility", "rnd"]
    assert stored["partners"] == ["두산로보틱스"]
    assert stored["documents"] == [("사업계획서.pdf", "business_plan")]
    assert stored["scored"] == sorted(CHANNELS)
    # Step 3 was left without its save button: the amounts were written by autosave alone.
    actions = stored["actions"]
    assert actions[actions.index("document.upload") - 1] == "proposal.autosave"
    assert actions[-1] == "proposal.submit"


# ---------------------------------------------------------------------------------------------
# Journey 2: KEIT screens and refers; KDB reviews and approves; the applicant sees it


@pytest.fixture
def submitted_proposal(demo_world) -> int:
    """A complete proposal the demo applicant (현대자동차) submitted; the worker scores it."""
    applicant = User.objects.get(username="applicant")
    draft = ProposalFactory(
        firm=applicant.firm,
        created_by=applicant,
        title="현대자동차 울산 AI 로봇 생산라인",
        region="ulsan",
        fund_uses=["facility", "rnd"],
        total_cost_krw=500 * 10**9,
        requested_krw=300 * 10**9,
        private_coinvest_krw=200 * 10**9,
    )
    services.proposal_submit(proposal_id=draft.pk, actor=applicant)
    return draft.pk


def test_keit_refers_kdb_approves_and_the_channel_commitment_rises_by_the_approved_amount(
    submitted_proposal, browser_page, live_server
):
    page, base, shot = browser_page, live_server.url, Shots("2-secretariats")
    pk = submitted_proposal
    approved = 250 * 10**9  # 2,500억원 of the 3,000억원 requested

    # Given a proposal the demo applicant submitted (scored by the worker), and the loan
    # channel's committed amount as the public page shows it
    home_before = _home_committed_krw(page, base, "loan")
    before = _committed_krw(page, base, "loan")
    shot(page, "loan-channel-before")

    # When KEIT signs in, it lands on its screening inbox (clicking only from here), finds
    # the proposal once it is scored, and refers it for a loan from the one screening page
    sign_in(page, base, "keit")
    expect(page).to_have_url(f"{base}/secretariat/screening/")
    expect(page.locator("h1")).to_have_text("연계 검토함")
    row = page.locator(f"tr[data-proposal='{pk}']")
    reload_until(
        page,
        lambda: row.locator("[data-best-channel]").get_attribute("data-best-channel") != "",
        timeout=WORKER_TIMEOUT,
    )
    shot(page, "keit-screening-inbox")
    with page.expect_navigation():
        row.get_by_role("link").click()
    page.fill("#id_note", "울산 지역 신규 설비 투자, 초저리대출 적합")
    page.select_option("#id_channel", value="loan")
    shot(page, "keit-screening-detail")
    with page.expect_navigation():
        page.locator("form[data-action=refer] button[type=submit]").click()
    expect(page.locator(".portal-main")).to_contain_text(
        re.compile(r"펀드 사무국에 연계했습니다\(연계 패킷 #\d+\)\.")
    )
    expect(page.locator(f"tr[data-proposal='{pk}']")).to_have_count(0)
    shot(page, "keit-referred")
    sign_out(page)

    # Then KDB, landing on its pipeline board, sees it within seconds (delivered by the worker)
    sign_in(page, base, "kdb")
    expect(page).to_have_url(f"{base}/fund/pipeline/")
    card = page.locator(f"[data-stage=received] article[data-proposal='{pk}']")
    reload_until(page, lambda: card.count() == 1, timeout=WORKER_TIMEOUT)
    shot(page, "kdb-board-received")
    # ... and the referral packet in its coordination queue, delivered; KDB acknowledges it
    with page.expect_navigation():
        page.locator("#portal-nav").get_by_role("link", name="연계 대기열").click()
    # (the demo world's pipeline has its own referrals: this proposal's is the one to find)
    referral = page.locator("tr[data-packet]", has_text="현대자동차 울산 AI 로봇 생산라인").filter(
        has_text="KEIT → KDB"
    )
    expect(referral).to_have_attribute("data-state", "delivered")
    shot(page, "kdb-coordination-queue")
    with page.expect_navigation():
        referral.get_by_role("link").click()
    with page.expect_navigation():
        page.locator("button[data-action=ack]").click()
    expect(page.locator("h1 + [data-state]")).to_have_attribute("data-state", "acknowledged")
    shot(page, "kdb-referral-acknowledged")

    # When KDB opens it from the board and moves it through every stage
    with page.expect_navigation():
        page.locator("#portal-nav").get_by_role("link", name="펀드 파이프라인").click()
    with page.expect_navigation():
        page.locator(f"article[data-proposal='{pk}'] a").click()
    for stage in ("prescreen", "committee", "council"):
        with page.expect_navigation():
            page.locator("form[data-action=advance] button[type=submit]").click()
        expect(page.locator("[data-stage]").first).to_have_attribute("data-stage", stage)
        shot(page, f"kdb-stage-{stage}")

    # ... and the council approves it with an amount below the request
    decide = page.locator("form[data-action=decide]")
    decide.locator("#id_decision").select_option("approved")
    decide.locator("#id_channel").select_option("loan")
    decide.locator("#id_amount_krw").fill(str(approved))
    decide.locator("#id_conditions").fill("설비 준공 후 분할 실행")
    with page.expect_navigation():
        decide.locator("button[type=submit]").click()
    expect(page.locator("[data-decision]")).to_have_attribute("data-decision", "approved")
    shot(page, "kdb-decided")
    with page.expect_navigation():
        page.locator("#portal-nav").get_by_role("link", name="펀드 파이프라인").click()
    decided = page.locator(f"[data-stage=decided] article[data-proposal='{pk}']")
    expect(decided).to_have_count(1)
    # the card now leads with the approved amount, the request beside it
    expect(decided.locator("[data-amount=approved] strong")).to_contain_text("2,500억원")
    shot(page, "kdb-board-decided")
    sign_out(page)

    # Then the applicant sees the decision on the proposal page
    sign_in(page, base, "applicant")
    page.goto(f"{base}/proposals/{pk}/")
    decision = page.locator("[data-testid=fund-decision]")
    expect(decision.locator("[data-field=decision]")).to_have_text("승인")
    expect(decision.locator("[data-field=approved_krw]")).to_have_attribute(
        "data-krw", str(approved)
    )
    expect(decision.locator("[data-field=approved_krw]")).to_have_text("2,500억원")
    shot(page, "applicant-sees-decision")
    sign_out(page)

    # And the public channel page's committed amount rose by exactly the approved amount
    after = _committed_krw(page, base, "loan")
    shot(page, "loan-channel-after")
    assert after - before == approved
    # ...and so did the home page's card for that channel
    assert _home_committed_krw(page, base, "loan") - home_before == approved
    shot(page, "home-after")
    proposal = in_db(lambda: Proposal.objects.get(pk=pk))
    assert (proposal.status, proposal.stage) == ("decided", "decided")
    commitments = in_db(
        lambda: list(
            Commitment.objects.filter(proposal_id=pk).values_list("channel__code", "amount_krw")
        )
    )
    assert commitments == [("loan", approved)]


# ---------------------------------------------------------------------------------------------
# Journey 3: a visitor reads the site in English, registers for a briefing and cancels


@pytest.fixture
def briefing(demo_world) -> Event:
    """The seeded 설명회 (briefing session), open for registration."""
    return Event.objects.get(kind=EventKind.SEMINAR)


def test_a_visitor_switches_to_english_registers_for_a_briefing_and_cancels_by_mail_link(
    briefing, browser_page, live_server, mail_dir
):
    page, base, shot = browser_page, live_server.url, Shots("3-visitor")
    email = "jiyoung.kim@example.kr"
    # The demo world's own registrants hold some seats already.
    confirmed = RegistrationStatus.CONFIRMED
    taken = in_db(lambda: Registration.objects.filter(event=briefing, status=confirmed).count())

    # Given a visitor on the Korean home page
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    shot(page, "home-korean")

    # When they switch to English
    with page.expect_navigation():
        page.locator("form.portal-language button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#home-title")).to_have_text(
        "Investment for Korea's AI transformation of manufacturing"
    )
    shot(page, "home-english")

    # ... read a channel page
    with page.expect_navigation():
        page.locator("[data-channel=loan] a.portal-channel-more").click()
    expect(page.locator("h1")).to_have_text("Ultra-low-rate loans")
    # The figure with its source marker (S1, the 2025-12-04 release).
    expect(page.locator("[data-testid=size]")).to_have_text("KRW 50 trillionS1")
    expect(page.locator("nav.krds-breadcrumb-wrap")).to_have_count(1)
    shot(page, "channel-loan-english")

    # ... find the briefing among the events and register, giving consent
    with page.expect_navigation():
        page.locator("#portal-nav").get_by_role("link", name="Events").click()
    with page.expect_navigation():
        page.locator(f"li[data-event='{briefing.pk}'] a").click()
    expect(page.locator("h1")).to_have_text(briefing.title)
    page.fill("#id_name", "김지영")
    page.fill("#id_organization", "퓨리오사AI")
    page.fill("#id_email", email)
    page.fill("#id_phone", "010-1234-5678")
    _tick(page, "#id_consent")
    shot(page, "briefing-registration-form")
    with page.expect_navigation():
        page.locator("#register button[type=submit]").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("h1")).to_have_text("Your registration is confirmed")
    shot(page, "registered")

    # Then the worker mails a confirmation with a self-cancel link, and following it cancels
    mail, body = wait_for_mail(mail_dir, "Registration confirmed", to=email, timeout=WORKER_TIMEOUT)
    assert mail["to"] == email
    link = re.search(re.escape(base) + r"/events/cancel/[A-Za-z0-9_-]+/", body).group(0)
    page.goto(link)
    # The mail is written just before its transaction commits: wait for the token to be there.
    reload_until(page, lambda: page.locator("form.portal-form").count() == 1, timeout=5)
    expect(page.locator("dd[data-status]")).to_have_attribute("data-status", "confirmed")
    shot(page, "cancel-confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator("dd[data-status]")).to_have_attribute("data-status", "cancelled")
    expect(page.locator(".portal-main")).to_contain_text("Your registration has been cancelled.")
    shot(page, "cancelled")
    mail, body = wait_for_mail(mail_dir, "Registration cancelled", to=email, timeout=WORKER_TIMEOUT)
    assert (mail["to"], "/events/cancel/" in body) == (email, False)

    # And the registration is stored as given, then cancelled; the seat is free again
    registration = in_db(lambda: Registration.objects.get(event_id=briefing.pk, email=email))
    assert (registration.name, registration.organization, registration.email) == (
        "김지영",
        "퓨리오사AI",
        email,
    )
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.consented_at is not None
    page.goto(f"{base}/events/{briefing.pk}/")
    expect(page.locator(".portal-definition").first).to_contain_text(
        f"{taken} of {briefing.capacity} seats taken"
    )
