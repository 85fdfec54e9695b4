"""The pure scoring engine: rule-set validation, compilation and evaluation (no database)."""

from matching.scoring.engine import (
    ChannelEvaluation,
    CompiledRuleSet,
    ProposalInput,
    best_channel,
    compile_rules,
    evaluate,
    evaluate_all,
    score_band,
)
from matching.scoring.explain import explain, render, trace, trace_json
from matching.scoring.rules import (
    CRITERIA,
    ELIGIBILITY_RULES,
    RuleSetInvalid,
    default_rules,
    validate_rules,
)

__all__ = [
    "CRITERIA",
    "ELIGIBILITY_RULES",
    "ChannelEvaluation",
    "CompiledRuleSet",
    "ProposalInput",
    "RuleSetInvalid",
    "best_channel",
    "compile_rules",
    "default_rules",
    "evaluate",
    "evaluate_all",
    "explain",
    "render",
    "score_band",
    "trace",
    "trace_json",
    "validate_rules",
]
