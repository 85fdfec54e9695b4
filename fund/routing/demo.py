"""The demo world's routing (SPEC §7): one active policy that routes a submitted proposal to
the channel where it is eligible with the highest score when that score is 70 or more, with
routing paused, so a new installation refers by hand until KEIT resumes it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from fund.routing.models import PolicyStatus, RoutingPolicy
from fund.routing.policy import demo_policy, validate_policy
from fund.routing.services import switch_for_update, switch_set

DEMO_NAME = "최고 점수 채널 70점 이상 자동 연계"
DEMO_DESCRIPTION = (
    "적격 채널 중 점수가 가장 높은 채널의 점수가 70점 이상인 제출 제안서를 그 채널로 국민성장펀드 "
    "사무국에 자동 연계합니다(포털 운영 기준)."
)


def routing_demo_ensure() -> bool:
    """Install the demo policy as version 1, active, with routing paused; nothing when any
    routing policy exists already (a rerun, or KEIT has set its own). Returns whether it
    installed it."""
    with transaction.atomic():
        switch = switch_for_update()
        if RoutingPolicy.objects.exists():
            return False
        if not switch.paused:
            switch_set(switch, actor=None, paused=True)
        now = timezone.now()
        policy = RoutingPolicy.objects.create(
            version=1,
            name=DEMO_NAME,
            description=DEMO_DESCRIPTION,
            document=validate_policy(demo_policy()),
            status=PolicyStatus.ACTIVE,
            activated_at=now,
        )
        audit_record(
            actor=None,
            action="routing_policy.activate",
            obj=policy,
            from_state=PolicyStatus.DRAFT,
            to_state=PolicyStatus.ACTIVE,
            data={"version": policy.version, "paused": True},
        )
    # Paused: nothing is queued; resuming queues every submitted proposal.
    return True
