"""Rule sets: validation, one active set, immutability, and stored results per proposal."""

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from alliance.models import AuditLog
from matching import selectors, services
from matching.models import MatchResult, RescoreRun, RuleSet, RuleSetImmutable, RuleSetStatus
from matching.scoring import RuleSetInvalid, default_rules, validate_rules
from tests.factories import ProposalFactory


def _errors(rules) -> list[str]:
    with translation.override("en"), pytest.raises(RuleSetInvalid) as caught:
        validate_rules(rules)
    return caught.value.errors


def test_default_rules_are_valid():
    assert validate_rules(default_rules()) is None


def test_unknown_criterion_is_refused_by_name():
    rules = default_rules()
    rules["channels"]["loan"]["criteria"][0]["criterion"] = "charisma"

    assert _errors(rules) == ["loan › criteria[1]: unknown criterion “charisma”."]


def test_weight_outside_0_to_100_is_refused():
    rules = default_rules()
    rules["channels"]["direct"]["criteria"][0]["weight"] = 150

    assert _errors(rules) == [
        "direct › criteria[1] (business_viability): weight 150 is outside 0–100."
    ]


def test_weights_not_adding_up_to_100_are_refused():
    rules = default_rules()
    rules["channels"]["infra"]["criteria"][4]["weight"] = 0

    assert _errors(rules) == ["infra: weights add up to 90, not 100."]


def test_threshold_of_wrong_type_is_refused():
    rules = default_rules()
    rules["channels"]["direct"]["eligibility"][3]["params"]["min_krw"] = "500억"
    rules["channels"]["direct"]["eligibility"][5]["params"]["ratio"] = [1]

    assert _errors(rules) == [
        "direct › eligibility[4] (ticket_range) › min_krw: must be a whole number of won.",
        "direct › eligibility[6] (coinvest_ratio) › ratio: must be a decimal number.",
    ]


def test_missing_channel_is_refused():
    rules = default_rules()
    del rules["channels"]["infra"]

    assert _errors(rules) == ["Channel “infra” is missing."]


@pytest.mark.django_db
def test_migration_leaves_exactly_one_active_rule_set():
    assert list(RuleSet.objects.values_list("version", "status")) == [(1, "active")]


@pytest.mark.django_db
def test_invalid_draft_cannot_be_activated_and_nothing_changes(kdb):
    # Given a draft whose weights were broken behind the editor's back.
    draft = services.rule_set_create_draft(actor=kdb)
    broken = copy.deepcopy(draft.rules)
    broken["channels"]["direct"]["criteria"][0]["weight"] = 30
    RuleSet.objects.filter(pk=draft.pk).update(rules=broken)

    with pytest.raises(ValidationError) as caught:
        services.rule_set_activate(rule_set_id=draft.pk, actor=kdb)

    assert list(caught.value.message_dict) == ["rules"]
    assert dict(RuleSet.objects.values_list("version", "status")) == {1: "active", 2: "draft"}
    assert RescoreRun.objects.count() == 0


@pytest.mark.django_db
def test_update_draft_with_invalid_rules_is_refused_and_keeps_content(kdb):
    draft = services.rule_set_create_draft(actor=kdb)
    broken = copy.deepcopy(draft.rules)
    broken["channels"]["loan"]["criteria"][1]["weight"] = -5

    with pytest.raises(ValidationError):
        services.rule_set_update_draft(
            rule_set_id=draft.pk, actor=kdb, name="v2", description="", rules=broken
        )

    draft.refresh_from_db()
    assert draft.rules == default_rules()


@pytest.mark.django_db
def test_activating_a_draft_retires_the_old_set_and_starts_a_rescore(kdb):
    ProposalFactory.create_batch(3, status="submitted")
    draft = services.rule_set_create_draft(actor=kdb)

    with transaction.atomic():
        run = services.rule_set_activate(rule_set_id=draft.pk, actor=kdb)

    assert dict(RuleSet.objects.values_list("version", "status")) == {1: "retired", 2: "active"}
    assert (run.rule_set_id, run.total_proposals, run.batches.count()) == (draft.pk, 3, 1)
    assert list(
        AuditLog.objects.filter(object_type="ruleset").values_list("action", flat=True)
    ) == ["ruleset.create", "ruleset.retire", "ruleset.activate"]


@pytest.mark.django_db
def test_database_refuses_a_second_active_rule_set():
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.create(version=9, name="x", rules=default_rules(), status="active")

    assert RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_active_and_retired_rule_sets_cannot_be_changed(kdb):
    active = RuleSet.objects.get(status="active")
    active.rules["channels"]["direct"]["criteria"][0]["weight"] = 0

    with pytest.raises(RuleSetImmutable):
        active.save()
    with pytest.raises(RuleSetImmutable):
        RuleSet.objects.get(pk=active.pk).delete()

    assert RuleSet.objects.get(pk=active.pk).rules == default_rules()


@pytest.mark.django_db
def test_applicant_cannot_create_or_activate_rule_sets(applicant):
    with pytest.raises(PermissionDenied):
        services.rule_set_create_draft(actor=applicant)
    with pytest.raises(PermissionDenied):
        services.rule_set_activate(rule_set_id=1, actor=applicant)

    assert RuleSet.objects.count() == 1


@pytest.mark.django_db
def test_score_proposals_stores_four_hand_worked_results(firm):
    # Factory proposal: robot, facility, corporate, 경남, TRL 7, AI, total 1,000억, request
    # 500억, private 300억, no value added/jobs, SME lead, no partners.
    # policy = AI 0.3 + regional 0.3 + spillover (SME lead) 0.5 × 0.2 = 0.7
    # direct  : 0 + 25 (50%) + 10 (TRL 7: 2/4) + 14 + 10 = 59, ineligible (corporate, 300억 < 500억)
    # indirect: 0 + 20 + 25 (TRL 7 ≥ 7) + 17.5 + 10 = 72.5 → 73, eligible
    # loan    : 0 + 30 + 10 + 10.5 + 10 = 60.5 → 61, eligible
    # infra   : 0 + 20 + 7.5 + 24.5 + 10 = 62, ineligible (facility; 500억 < 1,000억)
    proposal = ProposalFactory(firm=firm, status="submitted")
    rule_set = selectors.active_rule_set()

    written = services.score_proposals(queryset=selectors.scoreable_proposals(), rule_set=rule_set)

    assert written == 4
    assert sorted(
        MatchResult.objects.filter(proposal=proposal).values_list("channel", "eligible", "score")
    ) == [("direct", False, 59), ("indirect", True, 73), ("infra", False, 62), ("loan", True, 61)]


@pytest.mark.django_db
def test_scoring_the_same_inputs_twice_changes_nothing(firm):
    proposal = ProposalFactory(firm=firm, status="submitted")
    services.score_proposal(proposal_id=proposal.pk)
    first = list(MatchResult.objects.order_by("id").values())

    written = services.score_proposal(proposal_id=proposal.pk)

    assert written == 0
    assert list(MatchResult.objects.order_by("id").values()) == first


@pytest.mark.django_db
def test_changed_input_updates_the_same_rows(firm):
    proposal = ProposalFactory(firm=firm, status="submitted")
    services.score_proposal(proposal_id=proposal.pk)
    ids = sorted(MatchResult.objects.values_list("id", flat=True))
    proposal.trl = 9
    proposal.save()

    written = services.score_proposal(proposal_id=proposal.pk)

    assert written == 4
    assert sorted(MatchResult.objects.values_list("id", flat=True)) == ids
    assert MatchResult.objects.get(channel="loan").score == 71  # 60.5 + 10 (TRL 9 full)


@pytest.mark.django_db
def test_drafts_are_not_scored_but_can_be_checked_without_saving(draft):
    assert services.score_proposal(proposal_id=draft.pk) == 0

    results = services.check_draft(proposal=draft)

    assert [(r["channel"], r["eligible"], r["score"]) for r in results] == [
        ("direct", False, 59),
        ("indirect", True, 73),
        ("loan", True, 61),
        ("infra", False, 62),
    ]
    assert MatchResult.objects.count() == 0


@pytest.mark.django_db
def test_rescore_batch_marks_done_and_a_second_delivery_does_nothing():
    ProposalFactory.create_batch(3, status="submitted")
    run = services.rescore_start(rule_set=selectors.active_rule_set(), batch_size=2, enqueue=False)
    first, second = run.batches.order_by("index")

    assert services.rescore_batch_run(batch_id=first.pk) is True
    assert services.rescore_batch_run(batch_id=first.pk) is False
    assert MatchResult.objects.count() == 8
    run.refresh_from_db()
    assert run.finished_at is None
    assert services.rescore_batch_run(batch_id=second.pk) is True
    run.refresh_from_db()
    assert (MatchResult.objects.count(), run.finished_at is not None) == (12, True)


@pytest.mark.django_db
def test_preview_lists_exactly_the_proposals_whose_outcome_changes(kdb):
    # Given two proposals, one asking 500억 and one 50억; a draft raising the loan minimum to
    # 100억 makes only the small one ineligible for loans.
    big = ProposalFactory(status="submitted")
    small = ProposalFactory(status="submitted", requested_krw=5_000_000_000)
    draft = services.rule_set_create_draft(actor=kdb)
    rules = copy.deepcopy(draft.rules)
    rules["channels"]["loan"]["eligibility"][2]["params"]["min_krw"] = 10_000_000_000
    services.rule_set_update_draft(
        rule_set_id=draft.pk, actor=kdb, name="v2", description="", rules=rules
    )
    preview = services.preview_start(rule_set_id=draft.pk, actor=kdb)

    preview = services.preview_compute(preview_id=preview.pk)

    assert preview.total_proposals == 2
    assert [(c["proposal"], c["kinds"]) for c in preview.changes] == [(small.pk, ["eligibility"])]
    assert preview.changes[0]["before"]["eligible"]["loan"] is True
    assert preview.changes[0]["after"]["eligible"]["loan"] is False
    assert big.pk not in [c["proposal"] for c in preview.changes]


@pytest.mark.django_db
def test_rescore_command_resumes_the_unfinished_run():
    from io import StringIO

    from django.core.management import call_command

    ProposalFactory.create_batch(3, status="submitted")
    run = services.rescore_start(rule_set=selectors.active_rule_set(), batch_size=2, enqueue=False)
    services.rescore_batch_run(batch_id=run.batches.get(index=0).pk)
    out = StringIO()

    call_command("rescore", stdout=out)

    run.refresh_from_db()
    assert f"Resuming rescore {run.pk}" in out.getvalue()
    assert "100%  3/3 proposals" in out.getvalue()
    assert (RescoreRun.objects.count(), MatchResult.objects.count()) == (1, 12)
    assert run.finished_at is not None
