"""After the council: a deferred proposal returns to the committee, an approved commitment is
released (all or part) with its reason, and a decision keeps the results it was based on."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from alliance.models import AuditLog, Proposal
from fund.capacity.models import Channel, Commitment, CommitmentRelease
from fund.capacity.selectors import channel_capacity, fund_targets
from fund.capacity.services import commitment_create
from fund.coordination.models import CoordinationPacket
from fund.review import services as pipeline
from fund.review.models import FundReview
from matching.models import MatchResult
from matching.selectors import results_from_snapshot
from portal.core.errors import CapacityExceeded, TransitionNotAllowed
from tests.pipeline_support import at_stage, signed_in

pytestmark = pytest.mark.django_db

APPROVED = 40_000_000_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def at_council(keit, kdb):
    return at_stage(keit=keit, kdb=kdb, stage="council")


@pytest.fixture
def deferred(at_council, kdb):
    pipeline.proposal_decide(
        proposal_id=at_council.pk, actor=kdb, decision="deferred", conditions="재무 보완 후 재상정"
    )
    return at_council


@pytest.fixture
def approved(at_council, kdb):
    pipeline.proposal_decide(
        proposal_id=at_council.pk,
        actor=kdb,
        decision="approved",
        channel="loan",
        amount_krw=APPROVED,
    )
    return at_council


def _state(proposal) -> tuple:
    row = Proposal.objects.values("status", "stage").get(pk=proposal.pk)
    review = FundReview.objects.values("stage", "decision", "approved_krw").get(proposal=proposal)
    return (row["status"], row["stage"], *review.values())


# --- defer → back to the committee ------------------------------------------------------------


def test_a_deferred_proposal_returns_to_the_committee_with_its_deferral_kept(deferred, kdb):
    frozen = FundReview.objects.get(proposal=deferred).decision_results

    pipeline.proposal_reopen(proposal_id=deferred.pk, actor=kdb, reason="보완 서류 접수")

    assert _state(deferred) == ("in_review", "committee", "committee", "", None)
    review = FundReview.objects.get(proposal=deferred)
    assert (review.decided_at, review.decision_results) == (None, [])
    audit = AuditLog.objects.get(action="proposal.reopen")
    assert (audit.from_state, audit.to_state, audit.note) == (
        "deferred",
        "committee",
        "보완 서류 접수",
    )
    assert audit.data["deferral"]["conditions"] == "재무 보완 후 재상정"
    assert audit.data["deferral"]["decision_results"] == frozen
    packet = CoordinationPacket.objects.filter(proposal=deferred).order_by("-sequence").first()
    assert (packet.kind, packet.payload["reopened"], packet.payload["reason"]) == (
        "committee_scheduled",
        True,
        "보완 서류 접수",
    )
    # And it can go on to the council and be decided again.
    pipeline.proposal_advance(proposal_id=deferred.pk, actor=kdb, stage="council")
    pipeline.proposal_decide(proposal_id=deferred.pk, actor=kdb, decision="rejected")
    assert _state(deferred) == ("decided", "decided", "decided", "rejected", None)


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_only_a_deferred_proposal_can_return(at_council, kdb, decision):
    extra = {"channel": "loan", "amount_krw": APPROVED} if decision == "approved" else {}
    pipeline.proposal_decide(proposal_id=at_council.pk, actor=kdb, decision=decision, **extra)
    before = _state(at_council)

    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_reopen(proposal_id=at_council.pk, actor=kdb, reason="재상정")

    assert exc.value.message == (
        "Only a deferred proposal can return to the investment review committee."
    )
    assert _state(at_council) == before


def test_an_undecided_proposal_cannot_return(at_council, kdb):
    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_reopen(proposal_id=at_council.pk, actor=kdb, reason="재상정")
    assert exc.value.message == "The fund has not decided on this proposal."


def test_returning_needs_a_reason_and_fund_staff(deferred, kdb, keit):
    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_reopen(proposal_id=deferred.pk, actor=kdb, reason="   ")
    assert exc.value.message_dict == {"reason": ["State the reason."]}
    with pytest.raises(PermissionDenied):
        pipeline.proposal_reopen(proposal_id=deferred.pk, actor=keit, reason="재상정")
    assert _state(deferred) == ("decided", "decided", "decided", "deferred", None)


# --- releasing a commitment -------------------------------------------------------------------


def test_a_partial_release_frees_exactly_that_much_capacity(approved, kdb):
    loan = Channel.objects.get(code="loan")
    committed = channel_capacity(loan)["committed_krw"]
    targets = fund_targets().committed_krw

    pipeline.proposal_release_commitment(
        proposal_id=approved.pk, actor=kdb, amount_krw=15_000_000_000, reason="사업 축소 의결"
    )

    assert channel_capacity(loan)["committed_krw"] == committed - 15_000_000_000
    assert fund_targets().committed_krw == targets - 15_000_000_000
    commitment = Commitment.objects.get(proposal=approved)
    assert (commitment.amount_krw, commitment.released_krw, commitment.live_krw) == (
        APPROVED,
        15_000_000_000,
        25_000_000_000,
    )
    release = CommitmentRelease.objects.get()
    assert (release.amount_krw, release.reason, release.created_by) == (
        15_000_000_000,
        "사업 축소 의결",
        kdb,
    )
    assert sorted(
        AuditLog.objects.filter(action__endswith="release").values_list("action", flat=True)
    ) == [
        "commitment.release",
        "proposal.release",
    ]
    packet = CoordinationPacket.objects.filter(proposal=approved).order_by("-sequence").first()
    assert {k: packet.payload[k] for k in ("amount_krw", "released_krw", "reason")} == {
        "amount_krw": 25_000_000_000,
        "released_krw": 15_000_000_000,
        "reason": "사업 축소 의결",
    }
    # The council's decision itself stands.
    assert _state(approved) == ("decided", "decided", "decided", "approved", APPROVED)


def test_the_rest_can_be_released_later_but_never_more(approved, kdb):
    pipeline.proposal_release_commitment(
        proposal_id=approved.pk, actor=kdb, amount_krw=30_000_000_000, reason="1차 취소"
    )
    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_release_commitment(
            proposal_id=approved.pk, actor=kdb, amount_krw=10_000_000_001, reason="2차 취소"
        )
    assert exc.value.message_dict == {
        "amount_krw": ["At most the 10,000,000,000 won the commitment still draws can be released."]
    }
    pipeline.proposal_release_commitment(
        proposal_id=approved.pk, actor=kdb, amount_krw=10_000_000_000, reason="전액 취소"
    )
    assert Commitment.objects.get(proposal=approved).live_krw == 0
    assert CommitmentRelease.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "reason", "errors"),
    [
        (0, "취소", {"amount_krw": ["The amount must be a positive number of won."]}),
        ("1억", "취소", {"amount_krw": ["The amount must be a positive number of won."]}),
        (None, "", {"reason": ["State the reason."]}),
        (1, "x" * 2001, {"reason": ["At most 2000 characters."]}),
    ],
)
def test_a_bad_release_changes_nothing(approved, kdb, amount, reason, errors):
    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_release_commitment(
            proposal_id=approved.pk, actor=kdb, amount_krw=amount, reason=reason
        )
    assert exc.value.message_dict == errors
    assert Commitment.objects.get(proposal=approved).released_krw == 0
    assert CommitmentRelease.objects.count() == 0


@pytest.mark.parametrize("decision", ["deferred", "rejected"])
def test_only_an_approval_has_a_commitment_to_release(at_council, kdb, decision):
    pipeline.proposal_decide(proposal_id=at_council.pk, actor=kdb, decision=decision)
    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_release_commitment(
            proposal_id=at_council.pk, actor=kdb, amount_krw=1, reason="취소"
        )
    assert exc.value.message == "Only an approved commitment can be released."


def test_only_fund_staff_release(approved, keit, applicant):
    for who in (keit, applicant):
        with pytest.raises(PermissionDenied):
            pipeline.proposal_release_commitment(
                proposal_id=approved.pk, actor=who, amount_krw=1, reason="취소"
            )
    assert CommitmentRelease.objects.count() == 0


def test_released_capacity_can_be_committed_again(approved, kdb):
    """The ledger's check reads the live amount: what is released is there to commit."""
    loan = Channel.objects.get(code="loan")
    left = channel_capacity(loan)["remaining_krw"]
    with pytest.raises(CapacityExceeded):
        commitment_create(
            channel_code="loan", year=2026, amount_krw=left + 1, actor=kdb, region="seoul"
        )
    pipeline.proposal_release_commitment(
        proposal_id=approved.pk, actor=kdb, amount_krw=APPROVED, reason="전액 취소"
    )
    commitment_create(
        channel_code="loan", year=2026, amount_krw=left + APPROVED, actor=kdb, region="seoul"
    )
    assert channel_capacity(loan)["remaining_krw"] == 0


# --- the decision keeps its results -----------------------------------------------------------


def test_a_decision_keeps_the_results_it_was_based_on(approved):
    review = FundReview.objects.get(proposal=approved)
    live = {
        r.channel_id: (r.eligible, r.score, r.rule_set_id, r.trace)
        for r in MatchResult.objects.filter(proposal=approved)
    }
    assert {
        row["channel"]: (row["eligible"], row["score"], row["rule_set"], row["trace"])
        for row in review.decision_results
    } == live

    # When the stored results change afterwards (a new rule set, a rescore)
    MatchResult.objects.filter(proposal=approved).update(score=1, eligible=False)

    # Then the decision's copy, and the reasons it renders, are as they were.
    thawed = results_from_snapshot(FundReview.objects.get(proposal=approved).decision_results)
    assert {r.channel_id: (r.eligible, r.score) for r in thawed} == {
        code: (eligible, score) for code, (eligible, score, _, _) in live.items()
    }
    assert all(r.checks for r in thawed)


# --- the pages --------------------------------------------------------------------------------


def test_kdb_releases_from_the_review_page_and_sees_the_history(client, approved, kdb):
    signed_in(client, kdb)
    page = client.get(f"/fund/pipeline/{approved.pk}/")
    assert b'data-action="release"' in page.content
    assert b"Match results the decision was based on" in page.content

    bad = client.post(f"/fund/pipeline/{approved.pk}/release/", {"amount_krw": "", "reason": ""})
    assert bad.status_code == 400
    assert "State the reason." in bad.content.decode()
    assert CommitmentRelease.objects.count() == 0

    done = client.post(
        f"/fund/pipeline/{approved.pk}/release/",
        {"amount_krw": "50억원", "reason": "일부 취소 의결"},
        follow=True,
    )
    assert done.status_code == 200
    assert b'data-released="5000000000"' in done.content
    assert "일부 취소 의결" in done.content.decode()


def test_kdb_returns_a_deferred_proposal_from_the_review_page(client, deferred, kdb):
    signed_in(client, kdb)
    assert b'data-action="reopen"' in client.get(f"/fund/pipeline/{deferred.pk}/").content
    assert b'data-action="release"' not in client.get(f"/fund/pipeline/{deferred.pk}/").content
    client.post(f"/fund/pipeline/{deferred.pk}/reopen/", {"reason": "재상정"})
    assert _state(deferred) == ("in_review", "committee", "committee", "", None)


def test_keit_cannot_use_the_release_page(client, approved, keit):
    """Like every page of the fund's pipeline, it does not exist for KEIT."""
    signed_in(client, keit)
    answer = client.post(
        f"/fund/pipeline/{approved.pk}/release/", {"amount_krw": "1", "reason": "x"}
    )
    assert answer.status_code == 404
    assert CommitmentRelease.objects.count() == 0
