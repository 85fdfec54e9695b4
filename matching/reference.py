"""Recreates the start rule set when no rule set exists (after a flush)."""

from django.utils import timezone


def ensure_start_rule_set(**kwargs) -> None:
    from .models import RuleSet
    from .scoring.rules import default_rules

    if RuleSet.objects.exists():
        return
    RuleSet.objects.create(
        version=1,
        name="국민성장펀드 기본 매칭 규칙 / Start rules",
        description=(
            "국민성장펀드 운용계획과 투자심의위원회 심사 항목을 반영한 시작 규칙. "
            "Start rules reflecting the fund's operating plan and review criteria."
        ),
        status="active",
        rules=default_rules(),
        activated_at=timezone.now(),
    )
