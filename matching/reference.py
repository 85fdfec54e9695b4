"""Creates the start rule set (version 1) when no rule set exists."""

from django.apps import apps as django_apps
from django.utils import timezone

# A rule set's name and description are data, written in Korean like the rest of KEIT's data.
START_NAME = "국민성장펀드 기본 매칭 규칙"
START_DESCRIPTION = (
    "공표 자료(2025년 12월 4일 보도자료, 2026년 국민성장펀드 운용방안)와 포털 운영 기준을 반영한 "
    "시작 규칙입니다."
)


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
        name=START_NAME,
        description=START_DESCRIPTION,
        status="active",
        rules=default_rules(),
        activated_at=timezone.now(),
    )
