"""Automatic routing in-process: candidates written with the scores, the workers' referral
through the hand referral's service and packet, holds with their reasons, the daily cap, the
pause switch, idempotence, the preview and each proposal's routing status (SPEC §7)."""

import datetime
import io

import pytest
from django.utils import timezone

from alliance.models import AuditLog, Proposal, User
from alliance.proposals import services as proposals
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, PacketKind
from fund.routing import selectors, services
from fund.routing.models import RoutedProposal, RoutingCandidate, RoutingPolicy
from matching import services as matching
from portal.core.errors import TransitionNotAllowed
from portal.core.models import Notification
from tests.factories import ApplicantFactory, ProposalFactory
from tests.pipeline_support import submitted_proposal
from tests.routing_support import activate, document, route_waiting

pytestmark = pytest.mark.django_db

TOMORROW = datetime.timedelta(days=1)


def _referrals(proposal) -> list[CoordinationPacket]:
    return list(CoordinationPacket.objects.filter(proposal=proposal, kind=PacketKind.REFERRAL))


def _status(proposal, user) -> dict:
    return selectors.routing_status(Proposal.objects.get(pk=proposal.pk), user)


def _reason_codes(status) -> list[str]:
    return [r["code"] for r in status["reasons"]]


# ---------------------------------------------------------------------------------------------
# Candidates


def test_no_candidate_without_an_active_policy(keit):
    submitted_proposal()

    assert RoutingCandidate.objects.count() == 0


def test_scoring_makes_a_submitted_proposal_a_candidate_in_the_same_transaction(keit):
    activate(keit)

    proposal = submitted_proposal()

    assert list(RoutingCandidate.objects.values_list("pk", flat=True)) == [proposal.pk]


def test_a_rescore_batch_queues_only_the_submitted_proposals_of_its_range(keit, kdb):
    activate(keit)
    waiting = submitted_proposal()
    referred = submitted_proposal()
    coordination.proposal_refer(proposal_id=referred.pk, actor=keit)
    RoutingCandidate.objects.all().delete()
    rule_set = matching.rule_set_activate(
        rule_set_id=matching.rule_set_create_draft(actor=kdb).pk, actor=kdb
    ).rule_set
    run = matching.rescore_start(rule_set=rule_set, enqueue=False)

    for batch in run.batches.all():
        matching.rescore_batch_run(batch_id=batch.pk)

    assert list(RoutingCandidate.objects.values_list("pk", flat=True)) == [waiting.pk]


# ---------------------------------------------------------------------------------------------
# Routing


def test_a_proposal_that_meets_the_policy_is_referred_by_the_system(keit, applicant, firm):
    policy = activate(keit, document(notify=["applicant", "alliance_secretariat"]))
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    version = Proposal.objects.get(pk=proposal.pk).version

    counts = route_waiting()

    assert counts == {"routed": 1, "skipped": 0, "held": 0, "capped": 0}
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("referred", version + 1)
    (packet,) = _referrals(proposal)
    assert packet.created_by is None
    assert packet.payload["referred_by"] is None
    assert packet.payload["proposed_channel"] == "indirect"
    routing = packet.payload["routing"]
    assert (routing["policy"], routing["policy_version"], routing["channel"], routing["score"]) == (
        policy.pk,
        1,
        "indirect",
        73,
    )
    assert [(r["code"], r["met"]) for r in routing["reasons"]] == [
        ("eligible", True),
        ("min_score", True),
    ]
    assert routing["reasons"][1]["reason_en"] == "Score 73 reaches the minimum of 70."
    entry = AuditLog.objects.get(action="proposal.refer", proposal=proposal)
    assert (entry.actor, entry.from_state, entry.to_state) == (None, "submitted", "referred")
    assert entry.data["routing"] == routing
    assert entry.data["packet"] == str(packet.pk)
    routed = RoutedProposal.objects.get(pk=proposal.pk)
    assert (routed.policy_id, routed.channel, routed.score, routed.packet_id) == (
        policy.pk,
        "indirect",
        73,
        packet.pk,
    )
    assert routed.routed_on == timezone.localdate()
    assert RoutingCandidate.objects.count() == 0
    assert sorted(
        Notification.objects.filter(kind="proposal_routed").values_list("recipient", flat=True)
    ) == sorted([applicant.email, keit.email])


def test_the_referral_is_taken_into_the_fund_inbox_like_a_hand_referral(keit):
    activate(keit)
    proposal = submitted_proposal()
    route_waiting()
    (packet,) = _referrals(proposal)

    assert coordination.packet_deliver(packet_id=packet.pk) == "delivered"

    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")
    assert proposal.review.channel == "indirect"


def test_a_proposal_below_the_minimum_stays_with_keit_with_the_reason(keit):
    activate(keit, document(indirect={"min_score": 80}))
    proposal = submitted_proposal()

    counts = route_waiting()

    assert counts == {"held": 1, "skipped": 0, "capped": 0}
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    assert _referrals(proposal) == []
    assert RoutingCandidate.objects.count() == 0
    status = _status(proposal, keit)
    assert (status["state"], status["policy_version"], status["channel"]) == (
        "held",
        1,
        "indirect",
    )
    assert [(r["code"], r["reason_en"]) for r in status["reasons"]] == [
        ("min_score", "Score 73 is below the minimum of 80.")
    ]


def test_routing_twice_refers_once(keit):
    activate(keit)
    proposal = submitted_proposal()
    route_waiting()

    # Scored again (a rescore, a repeated message): a candidate again, and looked at again.
    matching.score_proposal(proposal_id=proposal.pk)
    services.route_proposals(proposal_ids=[proposal.pk])
    services.route_one(proposal_id=proposal.pk)

    assert len(_referrals(proposal)) == 1
    assert RoutedProposal.objects.count() == 1
    assert AuditLog.objects.filter(action="proposal.refer").count() == 1


def test_a_withdrawn_proposal_is_never_routed(keit, applicant, firm):
    activate(keit)
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    proposals.proposal_withdraw(proposal_id=proposal.pk, actor=applicant)

    assert services.route_one(proposal_id=proposal.pk) == "held"

    assert Proposal.objects.get(pk=proposal.pk).status == "withdrawn"
    assert CoordinationPacket.objects.count() == 0


def test_a_proposal_keit_referred_by_hand_is_not_routed_and_reads_as_manual(keit, applicant, firm):
    activate(keit)
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")

    assert route_waiting() == {"held": 1, "skipped": 0, "capped": 0}

    assert _referrals(proposal) == [packet]
    for user in (keit, applicant):
        status = _status(proposal, user)
        assert (status["state"], status["policy_version"], status["channel"], status["at"]) == (
            "manual",
            None,
            "loan",
            packet.created_at,
        )
        assert status["reasons"][0]["reason_en"] == "Referred by the alliance secretariat (KEIT)."


def test_a_hand_referral_after_routing_is_refused(keit):
    activate(keit)
    proposal = submitted_proposal()
    route_waiting()

    with pytest.raises(TransitionNotAllowed):
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert len(_referrals(proposal)) == 1


def test_the_daily_cap_holds_the_rest_until_the_next_day(keit):
    activate(keit, document(indirect={"daily_cap": 2}))
    waiting = [submitted_proposal() for _ in range(3)]

    counts = route_waiting()

    assert counts == {"routed": 2, "capped": 1, "held": 0, "skipped": 0}
    routed = set(RoutedProposal.objects.values_list("pk", flat=True))
    (left,) = [p for p in waiting if p.pk not in routed]
    candidate = RoutingCandidate.objects.get()
    assert candidate.pk == left.pk
    assert timezone.localtime(candidate.due_at).time() == datetime.time(0, 0)
    assert timezone.localdate(candidate.due_at) == timezone.localdate() + TOMORROW
    status = _status(left, keit)
    assert (status["state"], _reason_codes(status)) == ("held", ["daily_cap"])
    # The next day the cap starts again: the sweep routes it.
    assert services.sweep(now=candidate.due_at + datetime.timedelta(minutes=5)) == {
        "routed": 1,
        "skipped": 0,
        "held": 0,
        "capped": 0,
    }
    assert RoutedProposal.objects.get(pk=left.pk).routed_on == timezone.localdate() + TOMORROW


def test_a_paused_policy_routes_nothing_until_keit_resumes(keit):
    activate(keit)
    services.routing_pause(actor=keit)
    proposal = submitted_proposal()

    # Scored while paused: nothing queued, nothing routed.
    assert RoutingCandidate.objects.count() == 0
    assert services.route_proposals(proposal_ids=[proposal.pk]) == {"paused": 1}
    assert services.route_one(proposal_id=proposal.pk) == "paused"
    assert services.sweep(now=timezone.now() + TOMORROW) == {}
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    status = _status(proposal, keit)
    assert (status["state"], _reason_codes(status)) == ("held", ["paused"])

    services.routing_resume(actor=keit)
    route_waiting()

    assert Proposal.objects.get(pk=proposal.pk).status == "referred"


def test_pausing_twice_or_resuming_a_running_switch_is_refused(keit):
    activate(keit)

    with pytest.raises(TransitionNotAllowed):
        services.routing_resume(actor=keit)
    services.routing_pause(actor=keit)
    with pytest.raises(TransitionNotAllowed):
        services.routing_pause(actor=keit)

    assert list(
        AuditLog.objects.filter(action__startswith="routing.").values_list(
            "action", "from_state", "to_state", "actor"
        )
    ) == [("routing.pause", "running", "paused", keit.pk)]


def test_a_new_version_looks_again_at_proposals_the_old_one_held(keit):
    activate(keit, document(indirect={"min_score": 80}))
    proposal = submitted_proposal()
    route_waiting()
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"

    second = activate(keit, document(indirect={"min_score": 70}))
    route_waiting()

    assert RoutedProposal.objects.get(pk=proposal.pk).policy_id == second.pk


def test_the_sweep_leaves_a_new_candidate_to_its_message(keit):
    activate(keit)
    proposal = submitted_proposal()

    assert services.sweep() == {}
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=2)) == {
        "routed": 1,
        "skipped": 0,
        "held": 0,
        "capped": 0,
    }
    assert Proposal.objects.get(pk=proposal.pk).status == "referred"


def test_without_an_active_policy_candidates_are_dropped(keit):
    candidate_of = submitted_proposal()
    RoutingCandidate.objects.create(
        proposal=candidate_of, queued_at=timezone.now(), due_at=timezone.now()
    )

    assert route_waiting() == {"held": 1, "skipped": 0}
    assert Proposal.objects.get(pk=candidate_of.pk).status == "submitted"


# ---------------------------------------------------------------------------------------------
# What people see


def test_applicants_see_when_and_why_it_went_but_not_keits_holds(keit, applicant, firm):
    activate(keit, document(indirect={"min_score": 80}))
    held = submitted_proposal(firm=firm, created_by=applicant)
    route_waiting()
    activate(keit)
    routed = submitted_proposal(firm=firm, created_by=applicant)
    services.route_proposals(proposal_ids=[routed.pk])

    assert _status(held, applicant) == {
        "state": None,
        "policy_version": None,
        "channel": "",
        "at": None,
        "reasons": [],
    }
    status = _status(routed, applicant)
    assert (status["state"], status["policy_version"], status["channel"]) == (
        "routed",
        2,
        "indirect",
    )
    assert status["at"] == RoutedProposal.objects.get(pk=routed.pk).routed_at
    assert [r["reason_ko"] for r in status["reasons"]] == [
        "간접투자 채널에 적격이며 점수가 가장 높습니다(73점).",
        "점수 73점이 최소 점수 70점 이상입니다.",
    ]


def test_keit_sees_a_proposal_about_to_be_routed_and_one_not_scored_yet(keit):
    activate(keit)
    ready = submitted_proposal()
    unscored = ProposalFactory(status="submitted")

    statuses = selectors.routing_statuses(
        Proposal.objects.filter(pk__in=[ready.pk, unscored.pk]), keit
    )

    assert (statuses[ready.pk]["state"], _reason_codes(statuses[ready.pk])) == (None, ["pending"])
    assert (statuses[unscored.pk]["state"], _reason_codes(statuses[unscored.pk])) == (
        None,
        ["unscored"],
    )


def test_routing_statuses_of_a_page_take_a_fixed_number_of_queries(keit, django_assert_num_queries):
    activate(keit, document(loan={"daily_cap": 5}))
    page = [submitted_proposal() for _ in range(3)]
    by_hand = submitted_proposal()
    coordination.proposal_refer(proposal_id=by_hand.pk, actor=keit)
    route_waiting()
    page += [submitted_proposal(), by_hand]
    proposals_ = list(
        Proposal.objects.select_related("sub_alliance", "industry").filter(
            pk__in=[p.pk for p in page]
        )
    )

    # routed rows, the hand referrals' packets, the policy with the switch, results, today's counts
    with django_assert_num_queries(5):
        statuses = selectors.routing_statuses(proposals_, keit)

    assert sorted(s["state"] or "none" for s in statuses.values()) == [
        "manual",
        "none",
        "routed",
        "routed",
        "routed",
    ]


# ---------------------------------------------------------------------------------------------
# Preview


def test_the_preview_counts_what_a_draft_would_route_now_with_its_caps(keit):
    active = activate(keit, document(indirect={"min_score": 90}))
    waiting = [submitted_proposal() for _ in range(3)]
    low = submitted_proposal(
        requested_krw=2_000_000_000_000,
        total_cost_krw=4_000_000_000_000,
        private_coinvest_krw=1_000_000_000_000,
    )
    draft = services.policy_create_draft(actor=keit)
    services.policy_update_draft(
        policy_id=draft.pk,
        actor=keit,
        name="초안",
        description="",
        document=document(indirect={"daily_cap": 2}),
    )
    draft.refresh_from_db()

    preview = selectors.preview(draft)

    assert (preview["submitted"], preview["scored"], preview["would_route"]) == (4, 4, 2)
    assert preview["by_channel"] == {"direct": 0, "indirect": 2, "loan": 0, "infra": 0}
    assert preview["held"] == {"daily_cap": 1, "eligible": 1}
    assert [row["proposal"] for row in preview["proposals"]] == [p.pk for p in waiting[:2]]
    assert selectors.preview(active)["held"] == {"eligible": 1, "min_score": 3}
    # Nothing was routed or changed by looking.
    assert RoutedProposal.objects.count() == 0
    assert Proposal.objects.get(pk=low.pk).status == "submitted"


def test_a_proposal_of_another_firm_partner_sees_it_routed(keit, firm, applicant):
    activate(keit)
    partner = ApplicantFactory()
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    proposal.partners.add(partner.firm)
    route_waiting()

    assert _status(proposal, partner)["state"] == "routed"


def test_the_demo_world_installs_one_active_policy_with_routing_paused(keit):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    policy = selectors.active_policy()
    assert (RoutingPolicy.objects.count(), policy.version, policy.paused) == (1, 1, True)
    assert policy.document == document(notify=["applicant"])
    # Paused: hand referral is what a new installation does; nothing was queued or routed.
    assert (RoutingCandidate.objects.count(), RoutedProposal.objects.count()) == (0, 0)
    submitted = Proposal.objects.filter(status="submitted").count()
    assert submitted > 0

    services.routing_resume(actor=User.objects.get(username="keit"))

    assert RoutingCandidate.objects.count() == submitted
