"""The applicant's proposal pages, driven through the test client like a browser would."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, Industry, Proposal, ProposalPartner, SubAlliance
from alliance.proposals.services import proposal_request_info, proposal_submit
from portal.core.vocabulary import FirmStatus, ProposalStatus, Role
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory, UserFactory
from tests.files import make_pdf

pytestmark = pytest.mark.django_db

STEP2 = {
    "fund_uses": ["facility", "rnd"],
    "structure": "spc",
    "region": "ulsan",
    "start_date": "2026-03-01",
    "end_date": "2028-12-31",
    "trl": "7",
    "preferred_channel": "",
}


def browser(user=None, language="en") -> Client:
    """A client that asks for English, so assertions hold whatever the Korean catalogue says."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the portal ignores Accept-Language
    if user is not None:
        client.force_login(user)
    return client


def edit_url(proposal, step):
    return reverse("alliance:proposal_edit", args=[proposal.pk, step])


def snapshot(proposal) -> dict:
    """The stored row (and its history size), to show that a refused request changed nothing."""
    row = Proposal.objects.filter(pk=proposal.pk).values().get()
    row["partners"] = sorted(
        ProposalPartner.objects.filter(proposal_id=proposal.pk).values_list("firm_id", flat=True)
    )
    row["audit_rows"] = AuditLog.objects.filter(proposal_id=proposal.pk).count()
    return row


def step1_data(proposal, **overrides):
    data = {
        "version": str(proposal.version),
        "title": proposal.title,
        "summary": proposal.summary,
        "sub_alliance": str(proposal.sub_alliance_id or ""),
        "industry": str(proposal.industry_id or ""),
        "project_type": proposal.project_type,
        "ai_related": "on" if proposal.ai_related else "",
    }
    data.update(overrides)
    return data


def step3_data(proposal, **overrides):
    data = {
        "version": str(proposal.version),
        "total_cost_krw": str(proposal.total_cost_krw or ""),
        "requested_krw": str(proposal.requested_krw or ""),
        "private_coinvest_krw": str(proposal.private_coinvest_krw or ""),
        "expected_value_added_krw": "",
        "expected_jobs": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Workspace


def test_anonymous_visitor_is_sent_to_sign_in():
    response = browser().get(reverse("alliance:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('alliance:dashboard')}"


def test_workspace_lists_own_and_partner_proposals_marked_as_such(
    applicant, firm, other_firm, draft
):
    # given: one own draft, one where the firm is a partner, one it has nothing to do with
    partnered = ProposalFactory(firm=other_firm, title="두산 휴머노이드 컨소시엄")
    ProposalPartner.objects.create(proposal=partnered, firm=firm)
    ProposalFactory(firm=FirmFactory(), title="무관한 제안")

    response = browser(applicant).get(reverse("alliance:dashboard"))

    assert response.status_code == 200
    page = response.context["page"]
    assert [p.pk for p in page.object_list] == [partnered.pk, draft.pk]
    html = response.content.decode()
    assert "무관한 제안" not in html
    rows = re.findall(r'<tr data-proposal="(\d+)">(.*?)</tr>', html, re.S)
    assert [(int(pk), 'data-role="partner"' in body) for pk, body in rows] == [
        (partnered.pk, True),
        (draft.pk, False),
    ]
    assert "KRW 50 billion" in rows[1][1]
    assert "Lead: 두산로보틱스" in rows[0][1]


def test_workspace_shows_the_document_count(applicant, draft):
    client = browser(applicant)
    for _ in range(2):
        client.post(
            reverse("alliance:document_upload", args=[draft.pk]),
            {"kind": "business_plan", "file": make_pdf()},
        )

    response = client.get(reverse("alliance:dashboard"))

    assert [p.document_count for p in response.context["page"].object_list] == [2]


@pytest.mark.parametrize("count", [3, 30])
def test_workspace_query_count_does_not_grow_with_the_proposals(
    count, applicant, firm, django_assert_num_queries
):
    ProposalFactory.create_batch(count, firm=firm)
    client = browser(applicant)

    # session, user, roles, count, the firm (page and banner), the page of proposals
    with django_assert_num_queries(6):
        response = client.get(reverse("alliance:dashboard"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)


def test_workspace_paginates_by_25(applicant, firm):
    ProposalFactory.create_batch(26, firm=firm)

    response = browser(applicant).get(reverse("alliance:dashboard"), {"page": 2})

    assert len(response.context["page"].object_list) == 1
    assert response.context["page"].number == 2


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (Role.ALLIANCE_SECRETARIAT, "pipeline:screening"),
        (Role.FUND_SECRETARIAT, "pipeline:board"),
        (Role.SITE_EDITOR, "site:editor_dashboard"),
    ],
)
def test_staff_opening_the_workspace_are_sent_to_their_own_work(role, url_name):
    user = UserFactory(role=role)

    response = browser(user).get(reverse("alliance:dashboard"))

    assert (response.status_code, response["Location"]) == (302, reverse(url_name))


def test_an_account_without_a_role_is_told_what_the_workspace_is_for():
    response = browser(UserFactory()).get(reverse("alliance:dashboard"))

    assert response.status_code == 200
    assert response.context["role_only"] is True
    assert response.context["role_pages"] == []
    assert "page" not in response.context


# ---------------------------------------------------------------------------------------------
# The journey


def test_whole_applicant_journey_from_new_draft_to_submitted(applicant, firm, other_firm):
    client = browser(applicant)
    robot = Industry.objects.get(code="robot")
    humanoid = SubAlliance.objects.get(code="humanoid")

    # new: step 1 is shown, then saving it creates the draft
    assert client.get(reverse("alliance:proposal_new")).status_code == 200
    response = client.post(
        reverse("alliance:proposal_new"),
        {
            "title": "울산 휴머노이드 조립 라인 AX",
            "summary": "휴머노이드 로봇 양산 라인 구축",
            "sub_alliance": humanoid.pk,
            "industry": robot.pk,
            "project_type": "new_facility",
            "ai_related": "on",
        },
    )
    proposal = Proposal.objects.get(firm=firm)
    assert response.status_code == 302
    assert response["Location"] == edit_url(proposal, 2)
    assert (proposal.status, proposal.version, proposal.created_by) == ("draft", 1, applicant)

    # step 1 saved again unchanged, then "save and continue" to step 2
    response = client.post(edit_url(proposal, 1), {**step1_data(proposal), "action": "next"})
    assert response["Location"] == edit_url(proposal, 2)
    assert client.get(edit_url(proposal, 2)).status_code == 200

    response = client.post(
        edit_url(proposal, 2),
        {**STEP2, "version": "1", "partners": [other_firm.pk], "action": "next"},
    )
    assert response["Location"] == edit_url(proposal, 3)
    response = client.post(
        edit_url(proposal, 3),
        {
            "version": "2",
            "total_cost_krw": "1,000,000,000,000",
            "requested_krw": "400,000,000,000",
            "private_coinvest_krw": "600000000000",
            "expected_value_added_krw": "",
            "expected_jobs": "1200",
            "action": "next",
        },
    )
    assert response["Location"] == edit_url(proposal, 4)

    # step 4: upload the business plan, review, then the confirmation page
    response = client.post(
        reverse("alliance:document_upload", args=[proposal.pk]),
        {"kind": "business_plan", "file": make_pdf("사업계획서.pdf")},
    )
    assert response["Location"] == edit_url(proposal, 4)
    review = client.get(edit_url(proposal, 4))
    assert review.context["missing"] == {}
    assert "사업계획서.pdf" in review.content.decode()
    confirm = client.get(reverse("alliance:proposal_submit", args=[proposal.pk]))
    assert confirm.status_code == 200
    response = client.post(reverse("alliance:proposal_submit", args=[proposal.pk]), {"version": 3})

    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:proposal_detail", args=[proposal.pk])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == (ProposalStatus.SUBMITTED, 4)
    assert proposal.fund_uses == ["facility", "rnd"]
    assert (proposal.total_cost_krw, proposal.requested_krw) == (10**12, 4 * 10**11)
    assert (proposal.start_date, proposal.trl, proposal.expected_jobs) == (
        datetime.date(2026, 3, 1),
        7,
        1200,
    )
    assert list(proposal.partners.all()) == [other_firm]

    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert re.findall(r'<tr data-action="([a-z_.]+)">', html) == [
        "proposal.create",
        "proposal.update",
        "proposal.update",
        "document.upload",
        "proposal.submit",
    ]
    assert "The proposal was submitted." in html
    assert "KRW 1 trillion" in html
    assert "Draft → Submitted" in html


def test_saving_a_step_without_changes_keeps_the_version(applicant, draft):
    response = browser(applicant).post(edit_url(draft, 1), step1_data(draft))

    assert response.status_code == 302
    assert snapshot(draft)["version"] == 1
    assert snapshot(draft)["audit_rows"] == 0


def test_each_step_shows_the_stored_values(applicant, draft):
    client = browser(applicant)

    step1 = client.get(edit_url(draft, 1))
    step3 = client.get(edit_url(draft, 3))

    assert step1.context["form"]["title"].value() == draft.title
    assert 'name="version" value="1"' in step1.content.decode()
    html = step3.content.decode()
    assert 'value="100,000,000,000"' in html
    assert "KRW 100 billion" in html


def test_step_indicator_marks_done_and_current_steps(applicant, draft):
    html = browser(applicant).get(edit_url(draft, 3)).content.decode()

    states = re.findall(r'<li class="(\w*)"(?: aria-current="step")?>\s*<span>', html)
    assert states == ["done", "done", "active", ""]


def test_unknown_step_is_not_found_and_step_4_takes_no_post(applicant, draft):
    client = browser(applicant)

    assert client.get(edit_url(draft, 5)).status_code == 404
    assert client.get(edit_url(draft, 0)).status_code == 404
    assert client.post(edit_url(draft, 4), {}).status_code == 405


def test_submitted_proposal_edit_page_sends_the_lead_to_the_detail(applicant, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)

    response = browser(applicant).get(edit_url(draft, 1))

    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:proposal_detail", args=[draft.pk])


# ---------------------------------------------------------------------------------------------
# Stale edits and bad input


def test_stale_save_answers_409_keeps_the_typed_values_and_overwrites_nothing(applicant, draft):
    # given: someone saved after this editor loaded version 1
    client = browser(applicant)
    client.post(edit_url(draft, 1), step1_data(draft, title="먼저 저장한 제목"))
    before = snapshot(draft)

    response = client.post(edit_url(draft, 1), step1_data(draft, title="늦게 저장한 제목"))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this proposal after you opened it." in html
    assert 'value="늦게 저장한 제목"' in html
    assert snapshot(draft) == before
    assert before["title"] == "먼저 저장한 제목"


def test_megabyte_title_is_a_field_error_and_nothing_changes(applicant, draft):
    before = snapshot(draft)

    response = browser(applicant).post(edit_url(draft, 1), step1_data(draft, title="x" * 2**20))

    assert response.status_code == 400
    assert response.context["form"].errors["title"] == [
        "At most 200 characters: this text has 1,048,576. Shorten it to save."
    ]
    assert snapshot(draft) == before


def test_text_fields_show_their_limit_and_let_the_browser_take_longer_text(applicant, draft):
    html = browser(applicant).get(edit_url(draft, 1)).content.decode()

    # No maxlength: a pasted 10,000-character title reaches the server and is refused there,
    # with the limit, instead of being cut to 200 characters without a word.
    assert "maxlength" not in html
    assert 'data-max-chars="200"' in html
    assert 'data-max-chars="5000"' in html
    count = len(draft.title)
    assert (
        '<p class="form-hint portal-char-count" id="id_title_count" '
        'data-char-count-for="id_title">'
        f"<span data-char-count>{count}</span> of at most 200 characters</p>"
    ) in html
    assert "of at most 5,000 characters" in html


def test_autosave_refuses_an_over_long_summary_on_its_field_and_saves_the_title(applicant, draft):
    response = autosave(
        browser(applicant), draft, 1, step1_data(draft, title="새 제목", summary="가" * 10_000)
    )

    assert response.status_code == 422
    assert (
        "At most 5,000 characters: this text has 10,000. Shorten it to save."
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("새 제목", "AI 기반 스마트 공장 전환 사업")


def test_a_body_above_the_request_limit_is_a_400_not_a_500(applicant, draft):
    before = snapshot(draft)

    # 1 Mi Hangul syllables are ~9 MB once form-encoded, past DATA_UPLOAD_MAX_MEMORY_SIZE.
    response = browser(applicant).post(edit_url(draft, 1), step1_data(draft, title="가" * 2**20))

    assert response.status_code == 400
    assert snapshot(draft) == before


def test_negative_amount_is_a_field_error_and_nothing_changes(applicant, draft):
    before = snapshot(draft)

    response = browser(applicant).post(edit_url(draft, 3), step3_data(draft, requested_krw="-5"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"requested_krw": ["The amount cannot be negative."]}
    assert snapshot(draft) == before


INVALID_AMOUNT = (
    "Enter the amount as digits in won (180,000,000,000) or with 조, 억 and 만 (1,800억원, 1.5조)."
)
INVALID_AMOUNT_KO = (
    "금액은 원 단위 숫자(180,000,000,000) 또는 조·억·만 단위(1,800억원, 1.5조)로 입력해 주세요."
)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.5", "The amount must be a whole number of won."),
        ("0.0000000001억", "The amount must be a whole number of won."),
        ("1,00,000", INVALID_AMOUNT),
        ("십억", INVALID_AMOUNT),
        ("1e9", INVALID_AMOUNT),
        ("١٢٣", INVALID_AMOUNT),
        ("4200억달러", INVALID_AMOUNT),
        ("9" * 41, INVALID_AMOUNT),
    ],
)
def test_an_amount_that_is_not_won_is_a_field_error_and_nothing_changes(
    typed, message, applicant, draft
):
    before = snapshot(draft)

    response = browser(applicant).post(edit_url(draft, 3), step3_data(draft, total_cost_krw=typed))

    assert response.status_code == 400
    assert response.context["form"].errors == {"total_cost_krw": [message]}
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2,500,000,000", 2_500_000_000),
        (" 1 000 ", 1000),
        ("4200억", 420_000_000_000),
        ("1.5조", 1_500_000_000_000),
        ("1,800억원", 180_000_000_000),
        ("3억 5천만원", 350_000_000),
        ("180000000000", 180_000_000_000),
    ],
)
def test_amount_accepts_what_people_write_and_stores_integer_won(typed, stored, applicant, draft):
    response = browser(applicant).post(
        edit_url(draft, 3), step3_data(draft, expected_value_added_krw=typed)
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.expected_value_added_krw, draft.version) == (stored, 2)


def test_an_amount_typed_in_eok_is_echoed_in_words_next_to_its_field(applicant, draft):
    response = autosave(
        browser(applicant, "ko"), draft, 3, step3_data(draft, expected_value_added_krw="4200억")
    )

    assert response.status_code == 200
    assert (
        '<p id="id_expected_value_added_krw_krw" class="form-hint-information '
        'portal-amount-preview" aria-live="polite" hx-swap-oob="true">= 4,200억원</p>'
    ) in response.content.decode()
    draft.refresh_from_db()
    assert draft.expected_value_added_krw == 420_000_000_000


def test_amount_above_the_fund_size_is_refused(applicant, draft):
    before = snapshot(draft)

    response = browser(applicant).post(
        edit_url(draft, 3), step3_data(draft, expected_value_added_krw="9" * 20)
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "expected_value_added_krw": ["The amount cannot exceed the fund's 150 trillion won."]
    }
    assert snapshot(draft) == before


def test_requested_above_total_is_an_error_on_requested_and_the_other_fields_are_saved(
    applicant, draft
):
    response = browser(applicant).post(
        edit_url(draft, 3),
        step3_data(
            draft,
            total_cost_krw="1,000,000,000",
            requested_krw="2,000,000,000",
            private_coinvest_krw="",
        ),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["The other fields were saved; fix the highlighted ones to save them."],
        "requested_krw": ["The requested amount cannot exceed the total project cost."],
        # the stored request (500억) is above the typed total: the total waits with it
        "total_cost_krw": [
            "Not saved yet: it is checked together with “Amount requested from the fund (won)”."
        ],
    }
    html = response.content.decode()
    # the typed amounts stay, and are read back in words; the next save carries the new version
    assert 'value="2,000,000,000"' in html
    assert "KRW 2 billion" in html
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    draft.refresh_from_db()
    assert (draft.total_cost_krw, draft.requested_krw, draft.private_coinvest_krw) == (
        100_000_000_000,
        50_000_000_000,
        None,
    )
    assert draft.version == 2


def test_end_before_start_is_an_error_on_end_date_and_the_rest_is_saved(applicant, draft):

    response = browser(applicant).post(
        edit_url(draft, 2),
        {**STEP2, "version": "1", "start_date": "2027-01-01", "end_date": "2026-01-01"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["The other fields were saved; fix the highlighted ones to save them."],
        "end_date": ["The end date cannot be before the start date."],
    }
    draft.refresh_from_db()
    assert (draft.start_date, draft.end_date, draft.region) == (
        datetime.date(2027, 1, 1),
        datetime.date(2028, 12, 31),
        "ulsan",
    )


def test_html_in_text_is_stored_as_text_and_shown_escaped(applicant, draft):
    client = browser(applicant)
    title = '<script>alert("x")</script>현대차'

    client.post(edit_url(draft, 1), step1_data(draft, title=title, summary="<b>굵게</b>"))
    html = client.get(reverse("alliance:proposal_detail", args=[draft.pk])).content.decode()

    draft.refresh_from_db()
    assert (draft.title, draft.summary) == (title, "<b>굵게</b>")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;현대차" in html
    assert "&lt;b&gt;굵게&lt;/b&gt;" in html


def test_a_partner_that_is_not_an_active_member_is_refused_and_the_plan_is_saved(applicant, draft):
    pending = FirmFactory(status=FirmStatus.PENDING)
    before = snapshot(draft)

    response = browser(applicant).post(
        edit_url(draft, 2), {**STEP2, "version": "1", "partners": [pending.pk]}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"__all__", "partners"}
    draft.refresh_from_db()
    assert (draft.structure, draft.trl) == ("spc", 7)
    assert snapshot(draft)["partners"] == before["partners"] == []


# ---------------------------------------------------------------------------------------------
# Autosave


def autosave(client, proposal, step, data):
    return client.post(
        reverse("alliance:proposal_autosave", args=[proposal.pk]),
        {**data, "step": str(step)},
        headers={"hx-request": "true"},
    )


def test_autosave_saves_and_returns_the_new_version(applicant, draft):
    response = autosave(browser(applicant), draft, 1, step1_data(draft, title="자동 저장 제목"))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"Draft saved at \d\d:\d\d", html)
    assert '<input type="hidden" name="version" value="2" id="id_version" hx-swap-oob="true">' in (
        html
    )
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("자동 저장 제목", 2)
    assert list(draft.history.values_list("action", flat=True)) == ["proposal.autosave"]


def test_autosave_puts_errors_on_the_fields_and_saves_nothing(applicant, draft):
    before = snapshot(draft)

    response = autosave(
        browser(applicant), draft, 3, step3_data(draft, requested_krw="999,000,000,000")
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert (
        '<div id="id_requested_krw_error" class="portal-field-errors" hx-swap-oob="true">'
        '<p class="form-hint-invalid">The requested amount cannot exceed the total project cost.'
        "</p></div>"
    ) in html
    assert (
        '<div id="id_total_cost_krw_error" class="portal-field-errors" hx-swap-oob="true"></div>'
    ) in html
    assert 'name="version"' not in html
    assert snapshot(draft) == before


def test_autosave_saves_the_valid_fields_while_another_is_invalid(applicant, draft):
    response = autosave(
        browser(applicant),
        draft,
        3,
        step3_data(
            draft, requested_krw="많이", expected_value_added_krw="4200억", expected_jobs="35"
        ),
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(
        r"Saved at \d\d:\d\d\. Saved the other fields; the highlighted ones are not saved yet\.",
        html,
    )
    assert '<input type="hidden" name="version" value="2" id="id_version" hx-swap-oob="true">' in (
        html
    )
    assert (
        '<div id="id_requested_krw_error" class="portal-field-errors" hx-swap-oob="true">'
        f'<p class="form-hint-invalid">{INVALID_AMOUNT}</p></div>'
    ) in html
    draft.refresh_from_db()
    assert (draft.expected_value_added_krw, draft.expected_jobs, draft.requested_krw) == (
        420_000_000_000,
        35,
        50_000_000_000,
    )
    assert list(draft.history.values_list("action", flat=True)) == ["proposal.autosave"]


def test_autosave_with_only_invalid_changes_saves_nothing_and_sends_no_version(applicant, draft):
    before = snapshot(draft)

    response = autosave(browser(applicant), draft, 1, step1_data(draft, title=""))

    assert response.status_code == 422
    html = response.content.decode()
    assert "Not saved: check the highlighted fields." in html
    assert 'name="version"' not in html
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            "4200억",
            '<p id="id_total_cost_krw_krw" class="form-hint-information '
            'portal-amount-preview" aria-live="polite">= 4,200억원</p>',
        ),
        (
            "1.5조",
            '<p id="id_total_cost_krw_krw" class="form-hint-information '
            'portal-amount-preview" aria-live="polite">= 1조 5,000억원</p>',
        ),
        (
            "4200억달러",
            '<p id="id_total_cost_krw_krw" class="form-hint-invalid '
            f'portal-amount-preview" aria-live="polite">{INVALID_AMOUNT_KO}</p>',
        ),
    ],
)
def test_an_amount_is_read_back_in_words_while_it_is_typed_and_nothing_is_saved(
    typed, shown, applicant, draft
):
    before = snapshot(draft)
    client = browser(applicant, "ko")

    response = client.get(
        reverse("alliance:amount_preview"), {"field": "total_cost_krw", "total_cost_krw": typed}
    )

    assert response.status_code == 200
    assert response.content.decode().strip() == shown
    assert snapshot(draft) == before


def test_the_amount_preview_answers_only_for_amount_fields_and_signed_in_users(applicant):
    url = reverse("alliance:amount_preview")
    assert browser(applicant).get(url, {"field": "title", "title": "1"}).status_code == 404
    assert browser().get(url, {"field": "total_cost_krw"}).status_code == 302


def test_amount_inputs_ask_for_their_preview_as_they_are_typed(applicant, draft):
    html = browser(applicant).get(edit_url(draft, 3)).content.decode()

    preview_url = reverse("alliance:amount_preview")
    assert (
        f'<input type="text" name="requested_krw" value="50,000,000,000" autocomplete="off" '
        f'data-amount="" placeholder="e.g. 1,800억원" hx-get="{preview_url}" '
        'hx-trigger="input changed delay:400ms" hx-swap="outerHTML" hx-sync="this:replace" '
        'hx-target="#id_requested_krw_krw" hx-vals="{&quot;field&quot;: &quot;requested_krw&quot;}"'
    ) in html


def test_partners_are_a_searchable_list_of_check_boxes(applicant, draft, other_firm):
    html = browser(applicant).get(edit_url(draft, 2)).content.decode()

    assert "<select" not in html.split("data-partner-picker")[1].split("</fieldset>")[0]
    assert 'type="search" id="id_partners_search"' in html
    assert (
        f'<input type="checkbox" name="partners" value="{other_firm.pk}" data-partner-option'
    ) in html
    assert "Hold Ctrl" not in html


def test_partners_ticked_in_the_list_are_saved(applicant, draft, other_firm):
    response = browser(applicant).post(
        edit_url(draft, 2), {**STEP2, "version": "1", "partners": [str(other_firm.pk)]}
    )

    assert response.status_code == 302
    assert snapshot(draft)["partners"] == [other_firm.pk]


def test_autosave_with_a_stale_version_answers_409(applicant, draft):
    client = browser(applicant)
    autosave(client, draft, 1, step1_data(draft, title="첫 번째"))
    before = snapshot(draft)

    response = autosave(client, draft, 1, step1_data(draft, title="두 번째"))

    assert response.status_code == 409
    assert "Someone else saved this proposal after you opened it." in response.content.decode()
    assert snapshot(draft) == before


def test_autosave_of_an_unknown_step_is_refused(applicant, draft):
    before = snapshot(draft)

    response = autosave(browser(applicant), draft, 4, {"version": "1"})

    assert response.status_code == 400
    assert snapshot(draft) == before


def test_step_forms_autosave_through_htmx_and_carry_the_version(applicant, draft):
    html = browser(applicant).get(edit_url(draft, 2)).content.decode()

    autosave_url = reverse("alliance:proposal_autosave", args=[draft.pk])
    assert f'hx-post="{autosave_url}"' in html
    assert 'hx-trigger="change delay:800ms"' in html
    assert """hx-vals='{"step": "2"}'""" in html
    assert "<script>" not in html
    assert 'src="/static/js/proposal-form.js"' in html


# ---------------------------------------------------------------------------------------------
# Who may see and do what


def test_another_firms_applicant_gets_404_everywhere_and_nothing_changes(other_applicant, draft):
    client = browser(other_applicant)
    before = snapshot(draft)
    pk = draft.pk

    answers = [
        client.get(reverse("alliance:proposal_detail", args=[pk])).status_code,
        *[client.get(edit_url(draft, step)).status_code for step in (1, 2, 3, 4)],
        client.post(edit_url(draft, 1), step1_data(draft, title="탈취")).status_code,
        autosave(client, draft, 1, step1_data(draft, title="탈취")).status_code,
        client.get(reverse("alliance:proposal_submit", args=[pk])).status_code,
        client.post(reverse("alliance:proposal_submit", args=[pk]), {"version": 1}).status_code,
        client.get(reverse("alliance:proposal_withdraw", args=[pk])).status_code,
        client.post(reverse("alliance:proposal_withdraw", args=[pk]), {}).status_code,
    ]

    assert answers == [404] * 11
    assert snapshot(draft) == before


def test_consortium_partner_reads_the_proposal_but_cannot_change_it(draft, other_firm):
    ProposalPartner.objects.create(proposal=draft, firm=other_firm)
    partner_user = ApplicantFactory(firm=other_firm)
    client = browser(partner_user)
    before = snapshot(draft)
    submit_url = reverse("alliance:proposal_submit", args=[draft.pk])

    detail = client.get(reverse("alliance:proposal_detail", args=[draft.pk]))

    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Your firm is a consortium partner (read only)" in html
    assert "data-actions" not in html
    answers = [
        client.get(edit_url(draft, 1)).status_code,
        client.post(edit_url(draft, 1), step1_data(draft, title="파트너 수정")).status_code,
        autosave(client, draft, 1, step1_data(draft, title="파트너 수정")).status_code,
        client.post(submit_url, {"version": 1}).status_code,
        client.post(reverse("alliance:proposal_withdraw", args=[draft.pk]), {}).status_code,
    ]
    assert answers == [404] * 5
    assert snapshot(draft) == before


def test_fund_staff_do_not_see_a_draft(kdb, draft):
    response = browser(kdb).get(reverse("alliance:proposal_detail", args=[draft.pk]))

    assert response.status_code == 404


def test_staff_cannot_start_a_proposal(keit):
    response = browser(keit).post(reverse("alliance:proposal_new"), {"title": "KEIT 제안"})

    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_new_proposal_without_a_title_is_refused(applicant):
    response = browser(applicant).post(reverse("alliance:proposal_new"), {"title": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert Proposal.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Detail


def test_detail_shows_fields_by_label_and_only_the_permitted_actions(applicant, draft):
    html = browser(applicant).get(reverse("alliance:proposal_detail", args=[draft.pk]))
    html = html.content.decode()

    assert re.findall(r'data-action="(edit|submit|withdraw|request-info)"', html) == [
        "edit",
        "submit",
        "withdraw",
    ]
    for text in ("AI Factory", "Robotics", "Gyeongnam", "Manufacturing facility", "KRW 30 billion"):
        assert text in html
    assert "Let the portal suggest" in html


def test_detail_query_count_is_pinned(applicant, draft, other_firm, django_assert_num_queries):
    ProposalPartner.objects.create(proposal=draft, firm=other_firm)
    client = browser(applicant)
    client.post(
        reverse("alliance:document_upload", args=[draft.pk]),
        {"kind": "business_plan", "file": make_pdf()},
    )

    # session, user, roles, firm (banner), proposal (+ fund review), match results,
    # partners, documents, history
    with django_assert_num_queries(9):
        response = client.get(reverse("alliance:proposal_detail", args=[draft.pk]))

    assert response.status_code == 200


def test_alliance_secretariat_sees_the_request_info_form_on_a_submitted_proposal(
    keit, applicant, draft
):
    proposal_submit(proposal_id=draft.pk, actor=applicant)

    html = browser(keit).get(reverse("alliance:proposal_detail", args=[draft.pk]))
    html = html.content.decode()

    assert re.findall(r'data-action="(edit|submit|withdraw|request-info)"', html) == [
        "request-info"
    ]
    assert f'action="{reverse("alliance:proposal_request_info", args=[draft.pk])}"' in html


def test_detail_shows_the_information_request_and_how_to_answer(keit, applicant, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    proposal_request_info(proposal_id=draft.pk, actor=keit, question="재무제표를 첨부해 주세요.")

    html = browser(applicant).get(reverse("alliance:proposal_detail", args=[draft.pk]))
    html = html.content.decode()

    assert "재무제표를 첨부해 주세요." in html
    assert "Answer by editing the proposal" in html
    assert re.findall(r'<tr data-action="([a-z_.]+)">', html) == [
        "proposal.submit",
        "proposal.request_info",
    ]
    assert "Submitted → Information requested" in html
    asked = draft.history.get(action="proposal.request_info")
    seoul = asked.created_at.astimezone(ZoneInfo("Asia/Seoul"))
    assert f'<time datetime="{seoul.isoformat()}">{seoul:%Y-%m-%d %H:%M}</time>' in html


# ---------------------------------------------------------------------------------------------
# Submit and withdraw


def test_incomplete_proposal_is_not_submitted_and_the_missing_fields_link_to_their_steps(
    applicant, firm
):
    proposal = ProposalFactory(firm=firm, summary="", region="", total_cost_krw=None)
    before = snapshot(proposal)

    response = browser(applicant).post(
        reverse("alliance:proposal_submit", args=[proposal.pk]), {"version": 1}
    )

    assert response.status_code == 400
    assert [(r["label"], r["step"]) for r in response.context["missing_rows"]] == [
        ("Summary", 1),
        ("Project region", 2),
        ("Total project cost (won)", 3),
    ]
    html = response.content.decode()
    assert f'href="{edit_url(proposal, 2)}"' in html
    assert snapshot(proposal) == before


def test_submit_with_a_stale_version_answers_409_and_changes_nothing(applicant, draft):
    client = browser(applicant)
    client.post(edit_url(draft, 1), step1_data(draft, title="바뀐 제목"))
    before = snapshot(draft)

    response = client.post(reverse("alliance:proposal_submit", args=[draft.pk]), {"version": 1})

    assert response.status_code == 409
    assert response.context["form"]["version"].value() == 2
    assert snapshot(draft) == before


def test_pending_firm_cannot_submit_and_is_told_why(draft, firm, applicant):
    firm.status = FirmStatus.PENDING
    firm.save()
    client = browser(applicant)
    before = snapshot(draft)

    response = client.post(reverse("alliance:proposal_submit", args=[draft.pk]), {"version": 1})

    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Your firm must be verified by the alliance secretariat" in html
    assert snapshot(draft) == before


def test_withdraw_with_a_reason(applicant, draft):
    client = browser(applicant)
    assert client.get(reverse("alliance:proposal_withdraw", args=[draft.pk])).status_code == 200

    response = client.post(
        reverse("alliance:proposal_withdraw", args=[draft.pk]), {"reason": "사업 일정 변경"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.WITHDRAWN
    assert list(draft.history.values_list("action", "from_state", "to_state", "note")) == [
        ("proposal.withdraw", "draft", "withdrawn", "사업 일정 변경")
    ]


def test_withdrawn_proposal_cannot_be_withdrawn_again(applicant, draft):
    client = browser(applicant)
    client.post(reverse("alliance:proposal_withdraw", args=[draft.pk]), {})
    before = snapshot(draft)

    response = client.post(reverse("alliance:proposal_withdraw", args=[draft.pk]), {})

    assert response.status_code == 302
    assert (
        "This proposal can no longer be withdrawn."
        in client.get(response["Location"]).content.decode()
    )
    assert snapshot(draft) == before


def test_answering_an_information_request_is_a_resubmission(keit, applicant, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    proposal_request_info(proposal_id=draft.pk, actor=keit, question="민간 투자 확약서가 있나요?")
    client = browser(applicant)
    draft.refresh_from_db()

    client.post(edit_url(draft, 3), step3_data(draft, private_coinvest_krw="40,000,000,000"))
    confirm = client.get(reverse("alliance:proposal_submit", args=[draft.pk]))
    response = client.post(reverse("alliance:proposal_submit", args=[draft.pk]), {"version": 4})

    assert "Resubmit the proposal" in confirm.content.decode()
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.info_request, draft.private_coinvest_krw) == (
        ProposalStatus.SUBMITTED,
        "",
        40_000_000_000,
    )
    assert list(draft.history.values_list("action", flat=True)) == [
        "proposal.submit",
        "proposal.request_info",
        "proposal.update",
        "proposal.resubmit",
    ]
