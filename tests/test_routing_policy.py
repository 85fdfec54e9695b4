"""The routing policy as versioned data: validation field by field, drafts, one active version
with its history, and the decision it makes for one proposal (fund.routing.policy)."""

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from alliance.models import AuditLog
from fund.routing import services
from fund.routing.models import PolicyImmutable, PolicyStatus, RoutingCandidate, RoutingPolicy
from fund.routing.policy import (
    CHANNEL_DEFAULTS,
    Facts,
    PolicyInvalid,
    decide,
    default_policy,
    demo_policy,
    render,
    validate_policy,
)
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import INDUSTRY_CODES
from tests.pipeline_support import submitted_proposal
from tests.routing_support import activate, document

DIRECT_AND_LOAN = (("direct", True, 82), ("indirect", False, 90), ("loan", True, 75))


def _facts(results=DIRECT_AND_LOAN, **fields) -> Facts:
    values = {
        "proposal": 1,
        "status": "submitted",
        "sub_alliance": "ai_factory",
        "industry": "robot",
        "requested_krw": 50_000_000_000,
        "results": results,
        **fields,
    }
    return Facts(**values)


def _refused(doc) -> dict:
    with pytest.raises(PolicyInvalid) as caught:
        validate_policy(doc)
    return caught.value.errors


def _doc(**channel) -> dict:
    doc = copy.deepcopy(demo_policy())
    doc["channels"]["direct"].update(channel)
    return doc


# ---------------------------------------------------------------------------------------------
# Validation


def test_the_start_and_demo_policies_are_valid_and_fill_every_default():
    assert validate_policy(default_policy()) == default_policy()
    assert validate_policy({"channels": {"loan": {"route": True, "min_score": 60}}}) == {
        "channels": {
            "direct": CHANNEL_DEFAULTS,
            "indirect": CHANNEL_DEFAULTS,
            "loan": {**CHANNEL_DEFAULTS, "route": True, "min_score": 60},
            "infra": CHANNEL_DEFAULTS,
        },
        "notify": [],
    }


@pytest.mark.parametrize(
    ("doc", "errors"),
    [
        (
            {"channels": {"bank": {"route": True}}},
            {
                "channels.bank": [
                    "There is no channel with this code; use direct, indirect, loan or infra."
                ]
            },
        ),
        (_doc(daily_cap=-1), {"channels.direct.daily_cap": ["The daily cap cannot be negative."]}),
        (
            _doc(min_score=101),
            {"channels.direct.min_score": ["Give a minimum score from 0 to 100."]},
        ),
        (
            _doc(min_score=-1),
            {"channels.direct.min_score": ["Give a minimum score from 0 to 100."]},
        ),
        (
            _doc(min_score="70"),
            {"channels.direct.min_score": ["Give a minimum score from 0 to 100."]},
        ),
        (
            _doc(min_score=70.5),
            {"channels.direct.min_score": ["Give a minimum score from 0 to 100."]},
        ),
        (
            _doc(min_score=True),
            {"channels.direct.min_score": ["Give a minimum score from 0 to 100."]},
        ),
        (
            _doc(sub_alliances_in=["humanoid"], sub_alliances_out=["humanoid", "ai_bio"]),
            {"channels.direct.sub_alliances_out": ["Both included and excluded: humanoid."]},
        ),
        (
            _doc(min_requested_krw=10, max_requested_krw=5),
            {
                "channels.direct.max_requested_krw": [
                    "The maximum requested amount is below the minimum."
                ]
            },
        ),
        (
            _doc(daily_cap=0),
            {
                "channels.direct.daily_cap": [
                    "A channel that is routed needs a daily cap above 0, or none; turn routing "
                    "off for the channel instead."
                ]
            },
        ),
        (
            _doc(industries_out=list(INDUSTRY_CODES)),
            {
                "channels.direct.industries_out": [
                    "Everything is excluded, so nothing could be routed to this channel."
                ]
            },
        ),
        (
            _doc(industries_in=["steel"]),
            {"channels.direct.industries_in": ["Unknown codes: steel."]},
        ),
        (_doc(speed=3), {"channels.direct.speed": ["Unknown setting."]}),
        (
            {**demo_policy(), "notify": ["everyone"]},
            {"notify": ["Choose who is told among: applicant, alliance_secretariat."]},
        ),
        (["not", "an", "object"], {"": ["Write the policy as an object."]}),
    ],
)
def test_a_bad_policy_is_refused_field_by_field(doc, errors):
    with translation.override("en"):
        assert _refused(doc) == errors


def test_every_wrong_setting_is_named_at_once():
    doc = copy.deepcopy(demo_policy())
    doc["channels"]["direct"].update(min_score=200, daily_cap=-5)
    doc["channels"]["bank"] = {}

    with translation.override("en"):
        errors = _refused(doc)

    assert sorted(errors) == [
        "channels.bank",
        "channels.direct.daily_cap",
        "channels.direct.min_score",
    ]


def test_a_channel_not_routed_may_keep_a_cap_of_zero():
    doc = _doc(route=False, daily_cap=0)

    assert validate_policy(doc)["channels"]["direct"]["daily_cap"] == 0


# ---------------------------------------------------------------------------------------------
# Versions


def test_drafts_are_numbered_and_copy_the_active_version(keit):
    first = activate(keit, document(notify=["applicant"]), name="첫 정책")

    draft = services.policy_create_draft(actor=keit)

    assert (first.version, draft.version, draft.status) == (1, 2, "draft")
    assert (draft.name, draft.document, draft.based_on_id) == ("첫 정책", first.document, first.pk)


def test_a_draft_saved_with_bad_settings_is_refused_and_nothing_changes(keit):
    draft = services.policy_create_draft(actor=keit)
    before = (draft.name, draft.document, AuditLog.objects.count())
    doc = document()
    doc["channels"]["loan"]["min_score"] = 150
    doc["channels"]["infra"]["daily_cap"] = -1

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.policy_update_draft(
            policy_id=draft.pk, actor=keit, name=" ", description="", document=doc
        )

    assert caught.value.message_dict == {
        "name": ["Give the policy a name."],
        "policy.channels.loan.min_score": ["Give a minimum score from 0 to 100."],
        "policy.channels.infra.daily_cap": ["The daily cap cannot be negative."],
    }
    draft.refresh_from_db()
    assert (draft.name, draft.document, AuditLog.objects.count()) == before


def test_activation_needs_confirmation_and_retires_the_previous_version(keit):
    first = activate(keit)
    second = services.policy_create_draft(actor=keit)

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.policy_activate(policy_id=second.pk, actor=keit, confirm=False)
    assert list(caught.value.message_dict) == ["confirm"]
    assert RoutingPolicy.objects.get(pk=second.pk).status == "draft"

    services.policy_activate(policy_id=second.pk, actor=keit, confirm=True)

    statuses = dict(RoutingPolicy.objects.values_list("version", "status"))
    assert statuses == {1: "retired", 2: "active"}
    assert list(
        AuditLog.objects.filter(action__startswith="routing_policy.")
        .order_by("pk")
        .values_list("action", "object_id")
    ) == [
        ("routing_policy.create", str(first.pk)),
        ("routing_policy.update", str(first.pk)),
        ("routing_policy.activate", str(first.pk)),
        ("routing_policy.create", str(second.pk)),
        ("routing_policy.retire", str(first.pk)),
        ("routing_policy.activate", str(second.pk)),
    ]


def test_an_active_or_retired_version_never_changes(keit):
    active = activate(keit)

    with pytest.raises(TransitionNotAllowed):
        services.policy_update_draft(
            policy_id=active.pk, actor=keit, name="바꿈", description="", document=document()
        )
    with pytest.raises(TransitionNotAllowed):
        services.policy_activate(policy_id=active.pk, actor=keit, confirm=True)
    active.document = default_policy()
    with pytest.raises(PolicyImmutable):
        active.save()
    assert RoutingPolicy.objects.get(pk=active.pk).document == document()


def test_the_database_holds_one_active_version(keit):
    activate(keit)
    draft = services.policy_create_draft(actor=keit)

    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingPolicy.objects.filter(pk=draft.pk).update(
            status=PolicyStatus.ACTIVE, activated_at=draft.created_at
        )


@pytest.mark.parametrize("role", ["kdb", "applicant"])
def test_only_keit_writes_the_policy(request, keit, role):
    user = request.getfixturevalue(role)
    draft = services.policy_create_draft(actor=keit)

    for call in (
        lambda: services.policy_create_draft(actor=user),
        lambda: services.policy_update_draft(
            policy_id=draft.pk, actor=user, name="x", description="", document=document()
        ),
        lambda: services.policy_activate(policy_id=draft.pk, actor=user, confirm=True),
        lambda: services.routing_pause(actor=user),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert RoutingPolicy.objects.count() == 1


def test_activating_makes_every_submitted_proposal_a_candidate(keit, draft):
    waiting = [submitted_proposal(), submitted_proposal()]

    activate(keit)

    assert sorted(RoutingCandidate.objects.values_list("pk", flat=True)) == sorted(
        p.pk for p in waiting
    )


# ---------------------------------------------------------------------------------------------
# The decision for one proposal


def _codes(decision) -> list[tuple[str, bool]]:
    return [(r["code"], r["met"]) for r in decision.reasons]


def test_the_best_eligible_channel_is_routed_when_every_condition_holds():
    decision = decide(document(), _facts(), routed_today={}, paused=False)

    assert (decision.route, decision.channel, decision.score) == (True, "direct", 82)
    assert _codes(decision) == [("eligible", True), ("min_score", True)]


def test_a_score_below_the_minimum_holds_the_proposal_with_that_reason():
    decision = decide(document(direct={"min_score": 85}), _facts(), routed_today={}, paused=False)

    assert (decision.route, decision.channel) == (False, "direct")
    assert [(r["code"], r["params"]) for r in decision.missed] == [
        ("min_score", {"score": 82, "min_score": 85})
    ]
    with translation.override("en"):
        assert render(decision.missed[0])["reason_en"] == "Score 82 is below the minimum of 85."
    assert render(decision.missed[0])["reason_ko"] == "점수 82점이 최소 점수 85점에 못 미칩니다."


def test_the_next_best_channel_is_not_tried():
    # Direct is the best channel but is not routed; loan (75) would meet its conditions.
    decision = decide(document(direct={"route": False}), _facts(), routed_today={}, paused=False)

    assert (decision.route, decision.channel) == (False, "direct")
    assert _codes(decision) == [("eligible", True), ("channel_routed", False)]


def test_no_eligible_channel_holds_the_proposal():
    facts = _facts(results=(("direct", False, 90), ("loan", False, 80)))

    decision = decide(document(), facts, routed_today={}, paused=False)

    assert (decision.route, decision.channel, _codes(decision)) == (
        False,
        None,
        [("eligible", False)],
    )


@pytest.mark.parametrize(
    ("conditions", "fields", "missed"),
    [
        ({"sub_alliances_in": ["humanoid"]}, {}, ["sub_alliance_in"]),
        ({"sub_alliances_out": ["ai_factory"]}, {}, ["sub_alliance_out"]),
        ({"industries_in": ["robot"]}, {}, []),
        ({"industries_out": ["robot", "ai"]}, {}, ["industry_out"]),
        ({"industries_in": ["ai"]}, {"industry": None}, ["industry_in"]),
        ({"min_requested_krw": 60_000_000_000}, {}, ["amount"]),
        ({"max_requested_krw": 40_000_000_000}, {}, ["amount"]),
        ({"max_requested_krw": 50_000_000_000}, {}, []),
        ({"min_requested_krw": 1}, {"requested_krw": None}, ["amount"]),
    ],
)
def test_filters_and_the_amount_range(conditions, fields, missed):
    decision = decide(document(direct=conditions), _facts(**fields), routed_today={}, paused=False)

    assert [r["code"] for r in decision.missed] == missed
    assert decision.route is (not missed)


def test_the_daily_cap_holds_a_proposal_until_the_next_day():
    doc = document(direct={"daily_cap": 2})

    under = decide(doc, _facts(), routed_today={"direct": 1, "loan": 9}, paused=False)
    full = decide(doc, _facts(), routed_today={"direct": 2}, paused=False)

    assert (under.route, under.capped) == (True, False)
    assert (full.route, full.capped, [r["code"] for r in full.missed]) == (
        False,
        True,
        ["daily_cap"],
    )


def test_paused_routing_holds_even_a_proposal_that_meets_everything():
    decision = decide(document(), _facts(), routed_today={}, paused=True)

    assert (decision.route, decision.capped, [r["code"] for r in decision.missed]) == (
        False,
        False,
        ["paused"],
    )


def test_only_a_submitted_proposal_is_ever_routed():
    for status in ("draft", "info_requested", "referred", "in_review", "withdrawn"):
        decision = decide(document(), _facts(status=status), routed_today={}, paused=False)
        assert (decision.route, _codes(decision)) == (False, [("submitted", False)])


def test_reasons_are_written_in_korean_and_english_with_the_right_particles():
    reason = render(
        {
            "code": "sub_alliance_out",
            "met": False,
            "channel": "loan",
            "params": {"value": "humanoid"},
        }
    )

    assert reason["reason_ko"] == "분과 휴머노이드는 자동 연계에서 제외됩니다."
    assert reason["reason_en"] == "Sub-alliance Humanoids is excluded from routing."
