"""Every proposal transition, its audit row, optimistic locking and bad input at the service."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from alliance.models import AuditLog, Industry, Proposal, ProposalPartner, SubAlliance
from alliance.proposals.services import (
    proposal_create,
    proposal_request_info,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
from portal.core.errors import StaleEdit, TransitionNotAllowed
from portal.core.vocabulary import FUND_SIZE_KRW, FirmStatus, ProposalStatus
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory

REQUIRED = "This field is required to submit."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _row(proposal) -> dict:
    return Proposal.objects.values().get(pk=proposal.pk)


def _history(proposal) -> list[tuple]:
    return list(
        AuditLog.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("actor__username", "action", "from_state", "to_state", "note")
    )


def _partners(proposal) -> set[int]:
    return set(ProposalPartner.objects.filter(proposal=proposal).values_list("firm_id", flat=True))


@pytest.fixture
def partner_user(draft, other_firm, other_applicant):
    """other_applicant's firm is a consortium partner on the draft."""
    ProposalPartner.objects.create(proposal=draft, firm=other_firm)
    return other_applicant


def _set_status(proposal, status, **fields):
    Proposal.objects.filter(pk=proposal.pk).update(status=status, **fields)


# ---------------------------------------------------------------------------------------------
# proposal_create


@pytest.mark.django_db
def test_an_applicant_creates_a_draft_for_their_own_firm_with_an_audit_row(applicant, firm):
    proposal = proposal_create(
        actor=applicant, data={"title": "  AI 로봇 생산라인  ", "fund_uses": ["rnd", "rnd"]}
    )

    proposal.refresh_from_db()
    assert (proposal.firm, proposal.created_by) == (firm, applicant)
    assert (proposal.status, proposal.version) == (ProposalStatus.DRAFT, 1)
    assert proposal.title == "AI 로봇 생산라인"
    assert proposal.fund_uses == ["rnd"]
    assert proposal.submitted_at is None
    assert _history(proposal) == [("applicant", "proposal.create", "", "draft", "")]
    entry = AuditLog.objects.get()
    assert (entry.object_type, entry.object_id, entry.firm, entry.data) == (
        "proposal",
        str(proposal.pk),
        firm,
        {},
    )


@pytest.mark.django_db
def test_create_keeps_distinct_partners_other_than_the_lead(applicant, firm, other_firm):
    proposal = proposal_create(
        actor=applicant, data={"title": "컨소시엄"}, partners=[other_firm, firm, other_firm]
    )

    assert _partners(proposal) == {other_firm.pk}


@pytest.mark.django_db
def test_create_refuses_a_partner_that_is_not_a_verified_member(applicant):
    pending = FirmFactory(status=FirmStatus.PENDING)

    with pytest.raises(ValidationError) as caught:
        proposal_create(actor=applicant, data={"title": "컨소시엄"}, partners=[pending])

    assert caught.value.message_dict == {
        "partners": ["Consortium partners must be verified member firms."]
    }
    assert Proposal.objects.count() == 0
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["keit", "kdb", "editor"])
def test_only_an_applicant_can_create_a_proposal(who, request):
    with pytest.raises(PermissionDenied):
        proposal_create(actor=request.getfixturevalue(who), data={"title": "x"})

    assert Proposal.objects.count() == 0
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_pending_firms_applicant_may_start_a_draft(db):
    applicant = ApplicantFactory(firm=FirmFactory(status=FirmStatus.PENDING))

    proposal = proposal_create(actor=applicant, data={"title": "초안"})

    assert proposal.status == ProposalStatus.DRAFT


@pytest.mark.django_db
def test_create_with_bad_input_creates_nothing(applicant):
    with pytest.raises(ValidationError) as caught:
        proposal_create(
            actor=applicant,
            data={"title": "", "total_cost_krw": -1, "trl": 10, "region": "mars"},
        )

    assert caught.value.message_dict == {
        "title": ["Enter a title."],
        "total_cost_krw": ["The amount must be positive."],
        "trl": ["TRL is a level from 1 to 9."],
        "region": ["Choose an option from the list."],
    }
    assert Proposal.objects.count() == 0
    assert AuditLog.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# proposal_update


@pytest.mark.django_db
def test_update_bumps_the_version_and_audits_the_changed_fields(draft, applicant):
    proposal = proposal_update(
        proposal_id=draft.pk,
        actor=applicant,
        version=1,
        data={"title": "새 제목", "summary": draft.summary, "trl": 8},
    )

    row = _row(draft)
    assert (proposal.version, row["version"]) == (2, 2)
    assert (row["title"], row["trl"], row["summary"]) == ("새 제목", 8, draft.summary)
    assert _history(draft) == [("applicant", "proposal.update", "", "", "")]
    assert AuditLog.objects.get().data == {"changed": ["title", "trl"]}


@pytest.mark.django_db
def test_an_autosave_is_recorded_as_such(draft, applicant):
    proposal_update(
        proposal_id=draft.pk, actor=applicant, version=1, data={"summary": "요약"}, autosave=True
    )

    assert _history(draft) == [("applicant", "proposal.autosave", "", "", "")]
    assert AuditLog.objects.get().data == {"changed": ["summary"]}


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_nothing_and_keeps_the_version(draft, applicant):
    before = _row(draft)

    proposal = proposal_update(
        proposal_id=draft.pk,
        actor=applicant,
        version=1,
        data={"title": f"  {draft.title} ", "trl": draft.trl, "fund_uses": ["facility"]},
        partners=[],
    )

    assert proposal.version == 1
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_changing_partners_is_an_audited_change(draft, applicant, other_firm):
    proposal_update(
        proposal_id=draft.pk, actor=applicant, version=1, data={}, partners=[other_firm]
    )

    assert _partners(draft) == {other_firm.pk}
    assert _row(draft)["version"] == 2
    assert AuditLog.objects.get().data == {"changed": ["partners"]}


@pytest.mark.django_db
def test_naming_the_lead_or_a_partner_twice_is_not_a_change(draft, applicant, firm, other_firm):
    proposal_update(
        proposal_id=draft.pk, actor=applicant, version=1, data={}, partners=[other_firm]
    )

    proposal = proposal_update(
        proposal_id=draft.pk,
        actor=applicant,
        version=2,
        data={},
        partners=iter([firm, other_firm, other_firm]),
    )

    assert proposal.version == 2
    assert _partners(draft) == {other_firm.pk}
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
def test_a_partner_that_later_lost_its_verification_can_stay(draft, applicant, other_firm):
    ProposalPartner.objects.create(proposal=draft, firm=other_firm)
    other_firm.status = FirmStatus.SUSPENDED
    other_firm.save()

    proposal = proposal_update(
        proposal_id=draft.pk, actor=applicant, version=1, data={"trl": 8}, partners=[other_firm]
    )

    assert proposal.version == 2
    assert _partners(draft) == {other_firm.pk}


@pytest.mark.django_db
def test_a_partner_firms_user_cannot_update_the_proposal(draft, partner_user):
    before = _row(draft)

    with pytest.raises(PermissionDenied):
        proposal_update(proposal_id=draft.pk, actor=partner_user, version=1, data={"trl": 1})

    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_applicant", "keit", "kdb", "editor"])
def test_nobody_but_the_lead_firm_can_update_the_proposal(draft, who, request):
    before = _row(draft)

    with pytest.raises(PermissionDenied):
        proposal_update(
            proposal_id=draft.pk, actor=request.getfixturevalue(who), version=1, data={"trl": 1}
        )

    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        ProposalStatus.SUBMITTED,
        ProposalStatus.REFERRED,
        ProposalStatus.IN_REVIEW,
        ProposalStatus.DECIDED,
        ProposalStatus.WITHDRAWN,
    ],
)
def test_a_proposal_that_is_not_editable_refuses_updates(draft, applicant, status):
    _set_status(draft, status)
    before = _row(draft)

    with pytest.raises(TransitionNotAllowed) as caught:
        proposal_update(proposal_id=draft.pk, actor=applicant, version=1, data={"trl": 1})

    assert caught.value.message == "This proposal can no longer be edited."
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Optimistic locking


@pytest.mark.django_db
def test_a_second_editor_with_the_old_version_is_refused_and_the_first_edit_stays(draft, applicant):
    first_view = Proposal.objects.get(pk=draft.pk)
    second_view = Proposal.objects.get(pk=draft.pk)
    assert first_view.version == second_view.version == 1

    proposal_update(
        proposal_id=draft.pk, actor=applicant, version=first_view.version, data={"title": "A안"}
    )
    with pytest.raises(StaleEdit) as caught:
        proposal_update(
            proposal_id=draft.pk,
            actor=applicant,
            version=second_view.version,
            data={"title": "B안", "trl": 3},
        )

    assert caught.value.current_version == 2
    row = _row(draft)
    assert (row["title"], row["trl"], row["version"]) == ("A안", 7, 2)
    assert _history(draft) == [("applicant", "proposal.update", "", "", "")]


@pytest.mark.django_db
def test_submit_with_a_stale_version_is_refused(draft, applicant):
    proposal_update(proposal_id=draft.pk, actor=applicant, version=1, data={"trl": 8})
    before = _row(draft)

    with pytest.raises(StaleEdit) as caught:
        proposal_submit(proposal_id=draft.pk, actor=applicant, version=1)

    assert caught.value.current_version == 2
    assert _row(draft) == before
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_the_same_version_let_exactly_one_through():
    # A transactional test may start after another one flushed the migration-seeded rows.
    sub_alliance, _ = SubAlliance.objects.get_or_create(
        code="ai_factory", defaults={"name_ko": "AI 팩토리", "name_en": "AI Factory"}
    )
    industry, _ = Industry.objects.get_or_create(
        code="robot", defaults={"name_ko": "로봇", "name_en": "Robotics"}
    )
    applicant = ApplicantFactory()
    draft = ProposalFactory(
        firm=applicant.firm, created_by=applicant, sub_alliance=sub_alliance, industry=industry
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(title: str) -> None:
        try:
            barrier.wait(timeout=10)
            proposal_update(proposal_id=draft.pk, actor=applicant, version=1, data={"title": title})
            outcomes[title] = "saved"
        except StaleEdit as exc:
            outcomes[title] = exc.current_version
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("A안", "B안")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=str) == [2, "saved"]
    winner = next(title for title, result in outcomes.items() if result == "saved")
    row = _row(draft)
    assert (row["title"], row["version"]) == (winner, 2)
    assert AuditLog.objects.filter(proposal=draft).count() == 1


# ---------------------------------------------------------------------------------------------
# Bad input at the service level

START = datetime.date(2026, 3, 1)  # ProposalFactory's start date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"total_cost_krw": -1}, "total_cost_krw", "The amount must be positive."),
        ({"total_cost_krw": 0}, "total_cost_krw", "The amount must be positive."),
        ({"requested_krw": 0}, "requested_krw", "The amount must be positive."),
        ({"requested_krw": -5}, "requested_krw", "The amount must be positive."),
        ({"private_coinvest_krw": -1}, "private_coinvest_krw", "The amount must be positive."),
        (
            {"expected_value_added_krw": -1},
            "expected_value_added_krw",
            "The amount must be positive.",
        ),
        (
            {"total_cost_krw": FUND_SIZE_KRW + 1},
            "total_cost_krw",
            "The amount cannot exceed the fund's 150 trillion won.",
        ),
        (
            {"requested_krw": FUND_SIZE_KRW + 1},
            "requested_krw",
            "The amount cannot exceed the fund's 150 trillion won.",
        ),
        (
            {"expected_value_added_krw": 10**30},
            "expected_value_added_krw",
            "The amount cannot exceed the fund's 150 trillion won.",
        ),
        ({"total_cost_krw": 1.5e11}, "total_cost_krw", "Enter an amount in whole won."),
        ({"requested_krw": "5000"}, "requested_krw", "Enter an amount in whole won."),
        ({"total_cost_krw": True}, "total_cost_krw", "Enter an amount in whole won."),
        (
            {"requested_krw": 100_000_000_001},
            "requested_krw",
            "The requested amount cannot exceed the total project cost.",
        ),
        (
            {"private_coinvest_krw": 100_000_000_001},
            "private_coinvest_krw",
            "Private co-investment cannot exceed the total project cost.",
        ),
        ({"trl": 0}, "trl", "TRL is a level from 1 to 9."),
        ({"trl": 10}, "trl", "TRL is a level from 1 to 9."),
        ({"trl": "5"}, "trl", "TRL is a level from 1 to 9."),
        (
            {"end_date": START - datetime.timedelta(days=1)},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"start_date": "2026-03-01"}, "start_date", "Enter a valid date."),
        (
            {"end_date": datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)},
            "end_date",
            "Enter a valid date.",
        ),
        ({"fund_uses": ["facility", "casino"]}, "fund_uses", "Choose fund uses from the list."),
        ({"fund_uses": "facility"}, "fund_uses", "Choose fund uses from the list."),
        ({"fund_uses": [{"x": 1}]}, "fund_uses", "Choose fund uses from the list."),
        ({"title": "가" * 1_000_000}, "title", "The title can be at most 200 characters."),
        ({"title": " \n\t "}, "title", "Enter a title."),
        ({"title": None}, "title", "Enter a title."),
        ({"summary": "x" * 5001}, "summary", "The summary can be at most 5000 characters."),
        ({"summary": 12}, "summary", "Enter the summary as text."),
        ({"region": "mars"}, "region", "Choose an option from the list."),
        ({"structure": ""}, "structure", "Choose an option from the list."),
        ({"structure": "trust"}, "structure", "Choose an option from the list."),
        ({"project_type": "casino"}, "project_type", "Choose an option from the list."),
        ({"preferred_channel": "lottery"}, "preferred_channel", "Choose an option from the list."),
        ({"sub_alliance": 1}, "sub_alliance", "Choose an option from the list."),
        ({"industry": "robot"}, "industry", "Choose an option from the list."),
        ({"ai_related": "yes"}, "ai_related", "Choose yes or no."),
        ({"expected_jobs": -1}, "expected_jobs", "Enter a number of jobs from 0 to 1,000,000."),
        (
            {"expected_jobs": 1_000_001},
            "expected_jobs",
            "Enter a number of jobs from 0 to 1,000,000.",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    draft, applicant, data, field, message
):
    before = _row(draft)

    with pytest.raises(ValidationError) as caught:
        proposal_update(proposal_id=draft.pk, actor=applicant, version=1, data=data)

    assert caught.value.message_dict == {field: [message]}
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_the_largest_allowed_amounts_and_a_zero_co_investment_are_accepted(draft, applicant):
    proposal_update(
        proposal_id=draft.pk,
        actor=applicant,
        version=1,
        data={
            "total_cost_krw": FUND_SIZE_KRW,
            "requested_krw": FUND_SIZE_KRW,
            "private_coinvest_krw": 0,
            "trl": 1,
            "end_date": START,
            "expected_jobs": 1_000_000,
        },
    )

    row = _row(draft)
    assert (row["total_cost_krw"], row["requested_krw"], row["private_coinvest_krw"]) == (
        150_000_000_000_000,
        150_000_000_000_000,
        0,
    )
    assert (row["trl"], row["end_date"], row["expected_jobs"]) == (1, START, 1_000_000)


@pytest.mark.django_db
def test_markup_is_stored_verbatim_as_text(draft, applicant):
    title = "<script>alert('x')</script> AI 공장"
    summary = '<img src=x onerror="alert(1)"> & <b>굵게</b> -- \'; DROP TABLE alliance_proposal;'

    proposal_update(
        proposal_id=draft.pk, actor=applicant, version=1, data={"title": title, "summary": summary}
    )

    row = _row(draft)
    assert (row["title"], row["summary"]) == (title, summary)


# ---------------------------------------------------------------------------------------------
# proposal_submit


@pytest.mark.django_db
def test_a_complete_draft_of_an_active_firm_submits(draft, applicant):
    started = timezone.now()

    proposal = proposal_submit(proposal_id=draft.pk, actor=applicant, version=1)

    row = _row(draft)
    assert (proposal.status, row["status"]) == (ProposalStatus.SUBMITTED, "submitted")
    assert row["version"] == 2
    assert started <= row["submitted_at"] <= timezone.now()
    assert _history(draft) == [("applicant", "proposal.submit", "draft", "submitted", "")]


@pytest.mark.django_db
def test_a_pending_firm_cannot_submit(applicant, firm):
    firm.status = FirmStatus.PENDING
    firm.save()
    draft = ProposalFactory(firm=firm, created_by=applicant)
    before = _row(draft)

    with pytest.raises(TransitionNotAllowed) as caught:
        proposal_submit(proposal_id=draft.pk, actor=applicant)

    assert caught.value.message == (
        "Your firm must be verified by the alliance secretariat before it can submit proposals."
    )
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_an_incomplete_draft_is_refused_with_an_error_per_missing_field(applicant):
    draft = proposal_create(actor=applicant, data={"title": "제목만 있는 초안"})
    before = _row(draft)

    with pytest.raises(ValidationError) as caught:
        proposal_submit(proposal_id=draft.pk, actor=applicant)

    assert caught.value.message_dict == {
        field: [REQUIRED]
        for field in (
            "summary",
            "sub_alliance",
            "industry",
            "project_type",
            "fund_uses",
            "region",
            "start_date",
            "end_date",
            "trl",
            "total_cost_krw",
            "requested_krw",
            "private_coinvest_krw",
        )
    }
    assert _row(draft) == before
    assert _history(draft) == [("applicant", "proposal.create", "", "draft", "")]


@pytest.mark.django_db
def test_a_draft_with_one_missing_field_names_only_that_field(draft, applicant):
    Proposal.objects.filter(pk=draft.pk).update(region="")

    with pytest.raises(ValidationError) as caught:
        proposal_submit(proposal_id=draft.pk, actor=applicant)

    assert caught.value.message_dict == {"region": [REQUIRED]}
    assert _row(draft)["status"] == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["keit", "kdb", "editor", "other_applicant"])
def test_only_the_lead_firm_can_submit(draft, who, request):
    before = _row(draft)

    with pytest.raises(PermissionDenied):
        proposal_submit(proposal_id=draft.pk, actor=request.getfixturevalue(who))

    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_partner_firms_user_cannot_submit(draft, partner_user):
    before = _row(draft)

    with pytest.raises(PermissionDenied):
        proposal_submit(proposal_id=draft.pk, actor=partner_user)

    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_submitted_proposal_cannot_be_submitted_again(draft, applicant):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    before = _row(draft)

    with pytest.raises(TransitionNotAllowed):
        proposal_submit(proposal_id=draft.pk, actor=applicant)

    assert _row(draft) == before
    assert AuditLog.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# proposal_withdraw


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.INFO_REQUESTED]
)
def test_the_lead_firm_withdraws_a_proposal_the_fund_has_not_taken_up(draft, applicant, status):
    _set_status(draft, status)

    proposal = proposal_withdraw(proposal_id=draft.pk, actor=applicant, note="  사업 계획 변경  ")

    row = _row(draft)
    assert (proposal.status, row["status"], row["version"]) == ("withdrawn", "withdrawn", 2)
    assert _history(draft) == [
        ("applicant", "proposal.withdraw", status.value, "withdrawn", "사업 계획 변경")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        ProposalStatus.WITHDRAWN,
        ProposalStatus.REFERRED,
        ProposalStatus.IN_REVIEW,
        ProposalStatus.DECIDED,
    ],
)
def test_withdraw_is_refused_once_withdrawn_or_taken_up(draft, applicant, status):
    _set_status(draft, status)
    before = _row(draft)

    with pytest.raises(TransitionNotAllowed) as caught:
        proposal_withdraw(proposal_id=draft.pk, actor=applicant)

    assert caught.value.message == "This proposal can no longer be withdrawn."
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_partner_firms_user_cannot_withdraw(draft, partner_user):
    before = _row(draft)

    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal_id=draft.pk, actor=partner_user)

    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_keit_cannot_withdraw_a_firms_proposal(draft, keit):
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal_id=draft.pk, actor=keit)

    assert _row(draft)["status"] == "draft"


# ---------------------------------------------------------------------------------------------
# proposal_request_info and the resubmission


@pytest.fixture
def submitted(draft, applicant):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    return Proposal.objects.get(pk=draft.pk)


@pytest.mark.django_db
def test_keit_requests_information_on_a_submitted_proposal(submitted, keit):
    proposal = proposal_request_info(
        proposal_id=submitted.pk, actor=keit, question="  지역 투자 비중을 알려 주세요.  "
    )

    row = _row(submitted)
    assert (proposal.status, row["status"]) == ("info_requested", "info_requested")
    assert row["info_request"] == "지역 투자 비중을 알려 주세요."
    assert row["version"] == 3
    assert _history(submitted)[-1] == (
        "keit",
        "proposal.request_info",
        "submitted",
        "info_requested",
        "지역 투자 비중을 알려 주세요.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "kdb", "editor"])
def test_only_keit_can_request_information(submitted, who, request):
    before = _row(submitted)

    with pytest.raises(PermissionDenied):
        proposal_request_info(
            proposal_id=submitted.pk, actor=request.getfixturevalue(who), question="질문"
        )

    assert _row(submitted) == before
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        ProposalStatus.DRAFT,
        ProposalStatus.INFO_REQUESTED,
        ProposalStatus.REFERRED,
        ProposalStatus.WITHDRAWN,
    ],
)
def test_information_can_be_requested_only_on_a_submitted_proposal(draft, keit, status):
    _set_status(draft, status)
    before = _row(draft)

    with pytest.raises(TransitionNotAllowed) as caught:
        proposal_request_info(proposal_id=draft.pk, actor=keit, question="질문")

    assert caught.value.message == "Information can be requested only on a submitted proposal."
    assert _row(draft) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Write the question for the applicant."),
        ("  \n ", "Write the question for the applicant."),
        (None, "Write the question for the applicant."),
        ("?" * 2001, "At most 2000 characters."),
    ],
)
def test_an_empty_or_overlong_question_is_refused(submitted, keit, question, message):
    before = _row(submitted)

    with pytest.raises(ValidationError) as caught:
        proposal_request_info(proposal_id=submitted.pk, actor=keit, question=question)

    assert caught.value.message_dict == {"question": [message]}
    assert _row(submitted) == before
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
def test_the_applicant_answers_and_resubmits_which_clears_the_request(submitted, applicant, keit):
    proposal_request_info(proposal_id=submitted.pk, actor=keit, question="지역 비중?")
    proposal_update(proposal_id=submitted.pk, actor=applicant, version=3, data={"region": "ulsan"})

    proposal = proposal_submit(proposal_id=submitted.pk, actor=applicant, version=4)

    row = _row(submitted)
    assert (proposal.status, row["status"], row["version"]) == ("submitted", "submitted", 5)
    assert (row["info_request"], row["region"]) == ("", "ulsan")
    assert _history(submitted) == [
        ("applicant", "proposal.submit", "draft", "submitted", ""),
        ("keit", "proposal.request_info", "submitted", "info_requested", "지역 비중?"),
        ("applicant", "proposal.update", "", "", ""),
        ("applicant", "proposal.resubmit", "info_requested", "submitted", ""),
    ]
