"""Issue 17's journey in a real browser: the applicant opens a submitted proposal to financial
institutions, `bank` (우리은행) finds it in its deal flow — without the firm's name — and
expresses interest, the applicant accepts, and both see each other and the consultation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from alliance.models import Firm, User
from alliance.proposals import services
from fund.institutions.models import Interest
from matching.models import MatchResult
from tests.e2e.helpers import Shots, in_db, reload_until, sign_in, sign_out
from tests.factories import ProposalFactory
from tests.pipeline_support import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

WORKER_TIMEOUT = 30.0
expect.set_options(timeout=10_000)


def _submitted_proposal() -> int:
    firm = Firm.objects.get(name="현대자동차")
    applicant = User.objects.get(username="applicant")
    proposal = ProposalFactory(firm=firm, created_by=applicant, title="AI 용접 라인 전환")
    services.proposal_submit(proposal_id=proposal.pk, actor=applicant)
    return proposal.pk


def test_an_applicant_opens_a_proposal_the_bank_shows_interest_and_both_see_the_consultation(
    browser_page, live_server
):
    page, base, shot = browser_page, live_server.url, Shots("4-institution")
    pk = in_db(_submitted_proposal)
    wait_for(
        lambda: in_db(lambda: MatchResult.objects.filter(proposal_id=pk).count() == 4),
        timeout=WORKER_TIMEOUT,
    )

    # Given the applicant on the submitted proposal's page
    sign_in(page, base, "applicant")
    page.goto(f"{base}/proposals/{pk}/")
    panel = page.locator("[data-testid=institution-share]")
    expect(panel).to_have_attribute("data-open", "false")
    expect(panel.locator("[data-testid=consent-text]")).to_be_visible()

    # When they consent and open it to institutions
    box = page.locator("#id_share_consent")
    page.locator("label[for='id_share_consent']").click()
    expect(box).to_be_checked()
    with page.expect_navigation():
        page.locator("form[data-action=open-share] button[type=submit]").click()
    expect(panel).to_have_attribute("data-open", "true")
    shot(page, "opened")
    sign_out(page)

    # Then 우리은행 finds it in its deal flow once a worker has fitted it, without the firm
    sign_in(page, base, "bank")
    page.goto(f"{base}/institutions/dealflow/")
    row = page.locator(f"tr[data-proposal='{pk}']")
    reload_until(page, lambda: row.count() == 1, timeout=WORKER_TIMEOUT)
    expect(row).to_have_attribute("data-fit", "100")
    expect(page.locator("main")).not_to_contain_text("현대자동차")
    shot(page, "dealflow")

    # When the bank expresses interest with a message
    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator("[data-testid=reasons] li")).to_have_count(5)
    page.fill("#id_message", "설비 투자 대출 조건을 협의하고 싶습니다.")
    with page.expect_navigation():
        page.locator("form[data-action=express-interest] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/institutions/interests/\d+/$"))
    interest_url = page.url
    expect(page.locator("[data-testid=interest-state]")).to_have_attribute("data-state", "open")
    sign_out(page)

    # When the applicant sees who it is and accepts
    sign_in(page, base, "applicant")
    page.goto(f"{base}/proposals/{pk}/")
    with page.expect_navigation():
        panel.locator("li[data-state=open] a").click()
    expect(page.locator("[data-field=institution]")).to_have_text("우리은행")
    with page.expect_navigation():
        page.locator("[data-action=accept-interest]").click()

    # Then the applicant sees the bank's contact and the consultation
    contact = page.locator("[data-testid=contact]")
    expect(contact.locator("[data-field=contact-email]")).to_have_text("bank@example.com")
    shot(page, "accepted")
    with page.expect_navigation():
        page.locator("[data-action=open-consultation]").click()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/$"))
    consultation_url = page.url
    expect(page.locator("main")).to_contain_text("우리은행")
    sign_out(page)

    # ... and the bank sees the firm, its contact and the consultation it now answers itself
    sign_in(page, base, "bank")
    page.goto(interest_url)
    expect(page.locator("[data-field=firm]")).to_have_text("현대자동차")
    expect(page.locator("[data-testid=contact] [data-field=contact-email]")).to_have_text(
        "applicant@example.com"
    )
    page.goto(consultation_url)
    expect(page.locator("form[data-action=confirm]")).to_be_visible()
    shot(page, "bank-consultation")

    accepted = in_db(
        lambda: list(Interest.objects.filter(proposal_id=pk).values_list("state", flat=True))
    )
    assert accepted == ["accepted"]
