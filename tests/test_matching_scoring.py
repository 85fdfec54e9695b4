"""The pure engine: exact scores for hand-worked proposals on every channel (no database)."""

from matching.scoring import ProposalInput, compile_rules, default_rules, evaluate
from matching.scoring.explain import explain

JO = 10**12
EOK = 10**8
REMAINING = {"direct": 15 * JO, "indirect": 35 * JO, "loan": 50 * JO, "infra": 50 * JO}
RULES = compile_rules(default_rules(), version=1)


def _proposal(**overrides) -> ProposalInput:
    # A regional semiconductor SPC: 2,000억 project, 800억 requested, 900억 private money.
    values = {
        "id": 1,
        "industry": "semiconductor",
        "fund_uses": frozenset({"facility"}),
        "structure": "spc",
        "region": "ulsan",
        "trl": 8,
        "ai_related": True,
        "total_cost_krw": 2000 * EOK,
        "requested_krw": 800 * EOK,
        "private_coinvest_krw": 900 * EOK,
        "expected_value_added_krw": 3000 * EOK,
        "expected_jobs": 40,
        "lead_size": "large",
        "partner_count": 2,
        "sme_partner_count": 1,
    }
    values.update(overrides)
    return ProposalInput(**values)


def _run(code: str, p: ProposalInput, remaining: int | None = None):
    channel = RULES.channel(code)
    left = REMAINING[code] if remaining is None else remaining
    evaluation = evaluate(channel, p, left)
    return evaluation, explain(channel, evaluation, p, left)


def _points(stored: dict) -> dict:
    return {item["criterion"]: item["points"] for item in stored["breakdown"]}


def test_strong_spc_proposal_scores_93_on_direct_and_is_eligible():
    # Given the SPC above; direct weights 25/25/20/20/10, TRL 5→0 … 9→full.
    # business: 3,000억 / 2,000억 = 1.5× ≥ 1× → 25
    # finance: (2,000 − 800) / 2,000 = 60% ≥ 50% → 25
    # technology: (8 − 5) / (9 − 5) = 0.75 → 15
    # policy: AI 0.3 + regional 0.3 + spillover (partners 0.5 + SME partner 0.5) × 0.2
    #         + jobs 40 per 800억 = 5 per 100억 → 5/10 × 0.2 = 0.1 → 0.9 × 20 = 18
    # size: 800억 / 15조 = 0.53% ≤ 1% → 10;  total 93
    evaluation, stored = _run("direct", _proposal())

    assert evaluation.eligible is True
    assert evaluation.score == 93
    assert _points(stored) == {
        "business_viability": 25.0,
        "financial_structure": 25.0,
        "technology_readiness": 15.0,
        "policy_effect": 18.0,
        "channel_size_fit": 10.0,
    }
    assert stored["hints"] == []
    assert [c["passed"] for c in stored["checks"]] == [True] * 6


def test_same_proposal_scores_98_on_indirect_rounding_half_up():
    # indirect weights 20/20/25/25/10, TRL 3→0 … 7→full:
    # 20 + 20 + 25 (TRL 8 ≥ 7) + 0.9 × 25 = 22.5 + 10 (800억 / 35조 = 0.23%) = 97.5 → 98
    evaluation, stored = _run("indirect", _proposal())

    assert (evaluation.eligible, evaluation.score) == (True, 98)
    assert _points(stored)["policy_effect"] == 22.5


def test_same_proposal_scores_94_on_loan():
    # loan weights 25/30/20/15/10: 25 + 30 + 0.75 × 20 = 15 + 0.9 × 15 = 13.5 + 10 = 93.5 → 94
    evaluation, _stored = _run("loan", _proposal())

    assert (evaluation.eligible, evaluation.score) == (True, 94)


def test_facility_proposal_is_ineligible_for_infra_with_use_and_ticket_hints():
    # infra weights 20/20/15/35/10: 20 + 20 + 11.25 + 31.5 + 10 = 92.75 → 93, but a facility
    # of 800억 is neither infrastructure nor at least the 1,000억 infra ticket.
    evaluation, stored = _run("infra", _proposal())

    assert (evaluation.eligible, evaluation.score) == (False, 93)
    assert [h["code"] for h in stored["hints"]] == ["fund_use", "ticket_min"]
    assert stored["hints"][1]["amount_krw"] == 1000 * EOK
    assert stored["hints"][1]["reason_ko"] == "신청 금액을 최소 1,000억원 이상으로 해 주세요."
    assert stored["hints"][1]["reason_en"] == "Request at least KRW 100 billion."


def test_corporate_proposal_with_little_private_money_gets_spc_and_coinvest_hints():
    # Given a corporate (not JV/SPC) project asking 1,000억 with only 300억 private money.
    p = _proposal(structure="corporate", requested_krw=1000 * EOK, private_coinvest_krw=300 * EOK)

    evaluation, stored = _run("direct", p)

    assert evaluation.eligible is False
    assert stored["hints"] == [
        {
            "code": "structure",
            "structures": ["spc", "jv"],
            "reason_ko": "투자를 SPC 또는 JV로 구조화해 주세요.",
            "reason_en": "Structure the investment as an SPC or a JV.",
        },
        {
            "code": "coinvest",
            "amount_krw": 1000 * EOK,
            "reason_ko": "민간 공동투자를 최소 1,000억원 이상으로 늘려 주세요.",
            "reason_en": "Raise private co-investment to at least KRW 100 billion.",
        },
    ]


def test_missing_optional_data_scores_zero_for_those_criteria_without_crashing():
    # No TRL, total cost, value added or jobs; Seoul, not AI, no partners, large lead:
    # business 0, finance 0, technology 0, policy 0; size 1,000억 / 15조 = 0.67% → 10.
    p = _proposal(
        trl=None,
        total_cost_krw=None,
        expected_value_added_krw=None,
        expected_jobs=None,
        region=None,
        ai_related=False,
        partner_count=0,
        sme_partner_count=0,
        requested_krw=1000 * EOK,
        private_coinvest_krw=None,
    )

    evaluation, stored = _run("direct", p)

    assert evaluation.score == 10
    assert stored["breakdown"][0]["reason_en"] == (
        "No data: expected value added or total cost not given, so 0 points."
    )
    assert stored["breakdown"][2]["value"] is None
    assert stored["hints"][-1]["amount_krw"] == 1000 * EOK


def test_request_above_remaining_capacity_fails_with_the_remaining_amount():
    # Direct has only 500억 left: the 800억 request fails and its size fit is 0 (160% > 10%).
    evaluation, stored = _run("direct", _proposal(), remaining=500 * EOK)

    assert evaluation.eligible is False
    assert evaluation.score == 83
    assert stored["hints"] == [
        {
            "code": "capacity",
            "amount_krw": 500 * EOK,
            "reason_ko": "신청 금액을 잔여 한도(500억원) 이하로 줄여 주세요.",
            "reason_en": "Reduce the request to at most the remaining KRW 50 billion.",
        }
    ]


def test_proposal_without_industry_or_uses_is_ineligible_everywhere():
    p = _proposal(industry=None, fund_uses=frozenset())

    results = [evaluate(channel, p, REMAINING[channel.code]) for channel in RULES.channels]

    assert [r.eligible for r in results] == [False, False, False, False]
