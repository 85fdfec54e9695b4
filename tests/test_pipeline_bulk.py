"""Bulk actions on the pipeline table: each proposal through the single service, on its own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from alliance.models import AuditLog, Proposal
from fund.coordination.models import CoordinationPacket
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.core.vocabulary import Role
from tests.factories import UserFactory
from tests.pipeline_support import at_stage, submitted_proposal
from tests.pipeline_support import signed_in as _client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(db):
    return UserFactory(username="kdb2", role=Role.FUND_SECRETARIAT)


def _version(proposal) -> int:
    return Proposal.objects.values_list("version", flat=True).get(pk=proposal.pk)


def _stages(*proposals) -> list[str]:
    return [FundReview.objects.get(proposal=p).stage for p in proposals]


def _state() -> tuple:
    return (
        list(Proposal.objects.order_by("pk").values_list("pk", "stage", "version")),
        list(FundReview.objects.order_by("pk").values_list("pk", "stage", "reviewer")),
        AuditLog.objects.count(),
        CoordinationPacket.objects.count(),
    )


def test_bulk_advance_moves_each_one_it_can_and_says_why_not_for_the_rest(keit, kdb):
    ready = at_stage(keit=keit, kdb=kdb, stage="received")
    ahead = at_stage(keit=keit, kdb=kdb, stage="prescreen")
    stale = at_stage(keit=keit, kdb=kdb, stage="received")
    seen = _version(stale)
    Proposal.objects.filter(pk=stale.pk).update(version=seen + 1)  # someone saved it since
    packets = CoordinationPacket.objects.count()

    outcomes = pipeline.pipeline_bulk_advance(
        actor=kdb,
        items=[(ready.pk, _version(ready)), (ahead.pk, _version(ahead)), (stale.pk, seen)],
        stage="prescreen",
    )

    assert [(o.proposal_id, o.ok, o.message) for o in outcomes] == [
        (ready.pk, True, ""),
        (ahead.pk, False, "From Pre-screen a proposal can only move to the next stage."),
        (stale.pk, False, "It changed after you loaded the page; reload the page and try again."),
    ]
    assert _stages(ready, ahead, stale) == ["prescreen", "prescreen", "received"]
    # One audit row and one status packet for the one that moved.
    assert list(
        AuditLog.objects.filter(action="proposal.advance", proposal=ready).values_list(
            "from_state", "to_state"
        )
    ) == [("received", "prescreen")]
    assert CoordinationPacket.objects.count() == packets + 1


def test_a_version_left_out_is_not_checked(keit, kdb):
    proposal = at_stage(keit=keit, kdb=kdb, stage="prescreen")

    outcomes = pipeline.pipeline_bulk_advance(
        actor=kdb, items=[(proposal.pk, None)], stage="committee"
    )

    assert [o.ok for o in outcomes] == [True]
    assert _stages(proposal) == ["committee"]


def test_bulk_assign_sets_the_reviewer_on_each_one_under_review(keit, kdb, colleague):
    first = at_stage(keit=keit, kdb=kdb, stage="received")
    second = at_stage(keit=keit, kdb=kdb, stage="committee")
    outside = submitted_proposal()

    outcomes = pipeline.pipeline_bulk_assign(
        actor=kdb,
        items=[(first.pk, _version(first)), (second.pk, None), (outside.pk, None)],
        reviewer=colleague,
    )

    assert [(o.proposal_id, o.ok, o.message) for o in outcomes] == [
        (first.pk, True, ""),
        (second.pk, True, ""),
        (outside.pk, False, "This proposal is not under review by the fund."),
    ]
    assert list(
        FundReview.objects.order_by("proposal_id").values_list("proposal_id", "reviewer")
    ) == [(first.pk, colleague.pk), (second.pk, colleague.pk)]
    assert AuditLog.objects.filter(action="proposal.assign_reviewer").count() == 2


def test_a_decided_proposal_is_refused_in_a_bulk_assign(keit, kdb):
    proposal = at_stage(keit=keit, kdb=kdb, stage="council")
    pipeline.proposal_decide(proposal_id=proposal.pk, actor=kdb, decision="rejected")

    outcomes = pipeline.pipeline_bulk_assign(actor=kdb, items=[(proposal.pk, None)], reviewer=kdb)

    assert [(o.ok, o.message) for o in outcomes] == [
        (False, "A decision on this proposal has already been made.")
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "Tick at least one proposal."),
        (
            [(n, None) for n in range(1, 202)],
            "At most 200 proposals at a time; you ticked 201. Narrow the filters or work page "
            "by page.",
        ),
    ],
)
def test_an_empty_or_too_large_selection_is_refused_whole(keit, kdb, items, message):
    at_stage(keit=keit, kdb=kdb, stage="received")
    before = _state()

    with pytest.raises(ValidationError) as exc:
        pipeline.pipeline_bulk_advance(actor=kdb, items=items, stage="prescreen")

    assert exc.value.message_dict == {"proposals": [message]}
    assert _state() == before


def test_repeated_ids_count_once_toward_the_cap(keit, kdb):
    proposal = at_stage(keit=keit, kdb=kdb, stage="received")

    outcomes = pipeline.pipeline_bulk_advance(
        actor=kdb, items=[(proposal.pk, None)] * 300, stage="prescreen"
    )

    assert [o.proposal_id for o in outcomes] == [proposal.pk]


def test_a_bad_stage_or_reviewer_is_refused_whole(keit, kdb):
    proposal = at_stage(keit=keit, kdb=kdb, stage="received")
    before = _state()

    with pytest.raises(ValidationError) as stage:
        pipeline.pipeline_bulk_advance(actor=kdb, items=[(proposal.pk, None)], stage="decided")
    with pytest.raises(ValidationError) as reviewer:
        pipeline.pipeline_bulk_assign(actor=kdb, items=[(proposal.pk, None)], reviewer=keit)

    assert stage.value.message_dict == {"stage": ["Choose the stage to move the proposals to."]}
    assert reviewer.value.message_dict == {
        "reviewer": ["The reviewer must be fund secretariat staff."]
    }
    assert _state() == before


@pytest.mark.parametrize("who", ["keit", "applicant", "editor"])
def test_only_fund_staff_act_in_bulk(request, keit, kdb, who):
    proposal = at_stage(keit=keit, kdb=kdb, stage="received")
    user = request.getfixturevalue(who)
    before = _state()

    with pytest.raises(PermissionDenied):
        pipeline.pipeline_bulk_advance(actor=user, items=[(proposal.pk, None)], stage="prescreen")
    with pytest.raises(PermissionDenied):
        pipeline.pipeline_bulk_assign(actor=user, items=[(proposal.pk, None)], reviewer=kdb)

    assert _state() == before


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_table_ticks_rows_with_the_version_seen(client, keit, kdb):
    proposal = at_stage(keit=keit, kdb=kdb, stage="prescreen")

    body = _client(client, kdb).get(reverse("pipeline:table")).content.decode()

    assert f'name="proposals" value="{proposal.pk}:{_version(proposal)}"' in body
    assert f'action="{reverse("pipeline:bulk")}"' in body


def test_the_bulk_page_reports_each_proposal(client, keit, kdb):
    ready = at_stage(keit=keit, kdb=kdb, stage="received", title="접수 제안")
    ahead = at_stage(keit=keit, kdb=kdb, stage="committee", title="위원회 제안")

    response = _client(client, kdb).post(
        reverse("pipeline:bulk"),
        {
            "action": "advance",
            "stage": "prescreen",
            "proposals": [f"{ready.pk}:{_version(ready)}", f"{ahead.pk}:{_version(ahead)}", "x:1"],
            "back": "channel=loan&after=9.9",
        },
    )

    assert response.status_code == 200
    assert (response.context["done"], response.context["refused"]) == (1, 1)
    assert [
        (outcome.proposal_id, outcome.ok, review.proposal.title)
        for outcome, review in response.context["rows"]
    ] == [(ready.pk, True, "접수 제안"), (ahead.pk, False, "위원회 제안")]
    assert response.context["back"] == reverse("pipeline:table") + "?channel=loan"
    assert (
        "From Investment review committee a proposal can only move to the next stage."
        in response.content.decode()
    )
    assert _stages(ready, ahead) == ["prescreen", "committee"]


def test_a_bulk_assign_from_the_page(client, keit, kdb, colleague):
    proposals = [at_stage(keit=keit, kdb=kdb, stage="received") for _ in range(2)]

    response = _client(client, kdb).post(
        reverse("pipeline:bulk"),
        {
            "action": "assign",
            "reviewer": colleague.pk,
            "proposals": [f"{p.pk}:{_version(p)}" for p in proposals],
        },
    )

    assert response.context["done"] == 2
    assert set(FundReview.objects.values_list("reviewer", flat=True)) == {colleague.pk}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "advance", "stage": ""}, "Choose the stage to move the proposals to."),
        ({"action": "assign", "reviewer": ""}, "Choose the reviewer to assign."),
        (
            {"action": "advance", "stage": "prescreen", "proposals": []},
            "Tick at least one proposal.",
        ),
        (
            {
                "action": "advance",
                "stage": "prescreen",
                "proposals": [str(n) for n in range(1, 202)],
            },
            "At most 200 proposals at a time; you ticked 201. Narrow the filters or work page "
            "by page.",
        ),
    ],
)
def test_a_refused_bulk_form_goes_back_to_the_table_with_the_message(
    client, keit, kdb, data, message
):
    proposal = at_stage(keit=keit, kdb=kdb, stage="received")
    data = {"proposals": [str(proposal.pk)], "back": "stage=received", **data}
    before = _state()

    response = _client(client, kdb).post(reverse("pipeline:bulk"), data, follow=True)

    assert response.redirect_chain == [(reverse("pipeline:table") + "?stage=received", 302)]
    assert [str(m) for m in response.context["messages"]] == [message]
    assert _state() == before
