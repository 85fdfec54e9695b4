"""Creates the start rule set (version 1) when no rule set exists."""

from django.apps import apps as django_apps
from django.utils import timezone


def ensure_start_rule_set(apps=None, **kwargs) -> None:
    """Called by migration 0002 with its historical `apps`, and after every migrate (which
    also follows a flush) with the live registry. Later versions are made in the staff pages."""
    from matching.scoring.rules import default_rules

    apps = apps or django_apps
    RuleSet = apps.get_model("matching", "RuleSet")
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
