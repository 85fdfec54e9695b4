"""Stored results: a compact trace in, the same reasons as `explain` out; fast idempotent writes."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from matching import selectors, services
from matching.bench import synthetic
from matching.models import MatchResult, compiled_rule_set
from matching.scoring import (
    evaluate,
    render,
    trace,
    trace_json,
)
from matching.scoring.explain import explain
from tests.factories import ProposalFactory
from tests.test_matching_scoring import EOK, REMAINING, RULES, _proposal

# (channel, proposal, remaining capacity): together every check outcome and every hint.
CASES = [
    ("direct", _proposal(), None),  # everything passes, coinvest "ok" with its number
    ("infra", _proposal(), None),  # fund_use outside, ticket below
    ("direct", _proposal(structure="corporate", private_coinvest_krw=300 * EOK), None),
    ("direct", _proposal(requested_krw=30_000 * EOK, total_cost_krw=40_000 * EOK), None),  # above
    ("direct", _proposal(), 500 * EOK),  # capacity over, size fit 0
    ("loan", _proposal(), 0),  # no capacity left: size fit "no_capacity"
    ("direct", _proposal(industry="shipbuilding", structure=None), None),  # outside; no structure
    (
        "direct",
        _proposal(
            industry=None,
            fund_uses=frozenset(),
            requested_krw=None,
            private_coinvest_krw=None,
            trl=None,
            total_cost_krw=None,
            expected_value_added_krw=None,
            expected_jobs=None,
            region=None,
        ),
        None,
    ),
    # Huge ratios print as Python prints the float (1e+16), whatever JSON gives back.
    ("loan", _proposal(total_cost_krw=1, expected_value_added_krw=10**16, requested_krw=1), None),
    ("indirect", _proposal(expected_jobs=10**6, requested_krw=1), None),
]


def _left(code: str, remaining: int | None) -> int:
    return REMAINING[code] if remaining is None else remaining


def test_cases_cover_every_check_outcome_and_hint():
    kinds, hints = set(), set()
    for code, p, remaining in CASES:
        channel = RULES.channel(code)
        evaluation = evaluate(channel, p, _left(code, remaining))
        kinds |= {(rule, detail[0]) for rule, _passed, detail in evaluation.checks}
        stored = explain(channel, evaluation, p, _left(code, remaining))
        hints |= {h["code"] for h in stored["hints"]}

    assert {kind for _rule, kind in kinds} == {
        "ok",
        "no_data",
        "outside",
        "below",
        "above",
        "over",
        "short",
    }
    assert hints == {
        "industry",
        "fund_use",
        "structure",
        "ticket_min",
        "ticket_max",
        "capacity",
        "coinvest",
    }


@pytest.mark.parametrize(("code", "p", "remaining"), CASES)
def test_trace_through_json_renders_exactly_what_explain_gives(code, p, remaining):
    channel = RULES.channel(code)
    left = _left(code, remaining)
    evaluation = evaluate(channel, p, left)
    expected = explain(channel, evaluation, p, left)

    stored = json.loads(json.dumps(trace(evaluation, p, left)))

    rendered = render(channel, stored)

    assert {"eligible": evaluation.eligible, "score": evaluation.score, **rendered} == expected


def test_the_stored_json_of_a_trace_is_exactly_what_json_dumps_writes():
    proposals = [(code, p, _left(code, remaining)) for code, p, remaining in CASES]
    proposals += [(c.code, p, REMAINING[c.code]) for p in synthetic(300) for c in RULES.channels]
    for code, p, left in proposals:
        evaluation = evaluate(RULES.channel(code), p, left)

        stored = trace_json(evaluation, p, left)

        assert stored == json.dumps(trace(evaluation, p, left), separators=(",", ":"))


@pytest.mark.django_db
def test_a_stored_trace_read_back_from_the_database_gives_the_explained_reasons(firm):
    # Given each case stored as a result row (jsonb round trip), one proposal per case.
    rule_set = selectors.active_rule_set()
    compiled = compiled_rule_set(rule_set)
    expected = {}
    for code, p, remaining in CASES:
        proposal = ProposalFactory(firm=firm)
        channel = compiled.channel(code)
        left = _left(code, remaining)
        evaluation = evaluate(channel, p, left)
        MatchResult.objects.create(
            proposal=proposal,
            channel_id=code,
            rule_set=rule_set,
            eligible=evaluation.eligible,
            score=evaluation.score,
            trace=trace(evaluation, p, left),
            fingerprint="x" * 64,
            computed_at=timezone.now(),
        )
        expected[proposal.pk] = explain(channel, evaluation, p, left)

    # When they are read as the pages, the API and the referral snapshot read them.
    stored = {
        r.proposal_id: {
            "eligible": r.eligible,
            "score": r.score,
            "checks": r.checks,
            "breakdown": r.breakdown,
            "hints": r.hints,
        }
        for r in MatchResult.objects.select_related("rule_set")
    }

    # Then every reason is exactly what explain gives.
    assert stored == expected


def _as_explained(result: MatchResult) -> dict:
    return {
        "eligible": result.eligible,
        "score": result.score,
        "checks": result.checks,
        "breakdown": result.breakdown,
        "hints": result.hints,
    }


@pytest.mark.django_db
def test_a_new_batch_is_copied_in_as_compact_traces_and_a_changed_one_upserted(firm, monkeypatch):
    # Given three submitted proposals and the COPY paths taken from 4 rows up.
    monkeypatch.setattr(services, "COPY_MIN_ROWS", 4)
    proposals = [ProposalFactory(firm=firm, status="submitted", trl=5 + i) for i in range(3)]
    rule_set = selectors.active_rule_set()
    statements = []

    def spy(execute, sql, params, many, context):
        statements.append(" ".join(sql.split()))
        return execute(sql, params, many, context)

    # When the batch is scored for the first time.
    with connection.execute_wrapper(spy):
        written = services.score_proposals(
            queryset=selectors.scoreable_proposals(), rule_set=rule_set
        )

    # Then its 12 rows were copied straight in (no INSERT), each a compact trace that reads
    # back as explain's reasons.
    assert written == 12
    assert [s for s in statements if s.startswith("INSERT")] == []
    compiled = compiled_rule_set(rule_set)
    remaining = selectors.channel_remaining()
    inputs = {p.id: p for p in selectors.proposal_inputs(selectors.scoreable_proposals())}
    results = list(MatchResult.objects.select_related("rule_set").order_by("id"))
    assert sorted({r.proposal_id for r in results}) == [p.pk for p in proposals]
    assert len(results) == 12
    for result in results:
        assert set(result.trace) == {"in", "checks", "criteria"}
        channel = compiled.channel(result.channel_id)
        p, left = inputs[result.proposal_id], remaining[result.channel_id]
        assert _as_explained(result) == explain(channel, evaluate(channel, p, left), p, left)

    # When one proposal changes and the batch is scored again.
    proposals[0].trl = 9
    proposals[0].save()
    statements.clear()
    with connection.execute_wrapper(spy):
        changed = services.score_proposals(
            queryset=selectors.scoreable_proposals(), rule_set=rule_set
        )

    # Then only its four rows are upserted, through the load table.
    assert changed == 4
    assert [s for s in statements if s.startswith("INSERT")] == [
        next(s for s in statements if "FROM matching_result_load ON CONFLICT" in s)
    ]
    assert MatchResult.objects.get(proposal=proposals[0], channel="loan").score == 71
    before = list(MatchResult.objects.order_by("id").values())

    # When the same batch is delivered again; and when the same rows are written again
    # directly, as a duplicate that raced past the fingerprint read would.
    again = services.score_proposals(queryset=selectors.scoreable_proposals(), rule_set=rule_set)
    rows = [
        (r["proposal_id"], r["channel_id"], r["eligible"], r["score"], r["fingerprint"], "{}")
        for r in before
    ]
    raced = services._upsert_postgresql(rows, rule_set_id=rule_set.pk, now=timezone.now())
    copied = services._copy_new_postgresql(rows, rule_set_id=rule_set.pk, now=timezone.now())

    # Then nothing is written (the plain COPY hits the unique key and gives way).
    assert (again, raced, copied) == (0, 0, None)
    assert list(MatchResult.objects.order_by("id").values()) == before


@pytest.mark.django_db
def test_a_single_proposal_is_written_in_one_insert_and_rescored_only_when_inputs_change(firm):
    proposal = ProposalFactory(firm=firm, status="submitted")

    first = services.score_proposal(proposal_id=proposal.pk)
    again = services.score_proposal(proposal_id=proposal.pk)
    proposal.requested_krw = 40_000_000_000
    proposal.save()
    changed = services.score_proposal(proposal_id=proposal.pk)

    assert (first, again, changed) == (4, 0, 4)
    loan = MatchResult.objects.select_related("rule_set").get(channel="loan")
    assert loan.trace["in"][0] == 40_000_000_000
    assert loan.checks[2]["reason_en"] == (
        "The request of KRW 40 billion is within the channel's range "
        "(KRW 5 billion to KRW 1 trillion)."
    )
