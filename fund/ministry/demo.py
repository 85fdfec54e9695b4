"""The demo world's ministry (SPEC §4): the user `motie` of 산업통상부, two of its
recommendations and two shared-infrastructure plans. Idempotent: what exists is kept."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from alliance.demo import DEMO_EMAIL_DOMAIN, SeedResult
from alliance.models import Proposal, SubAlliance, User
from fund.ministry.models import (
    InfraKind,
    InfraPlan,
    Ministry,
    MinistryMembership,
    Recommendation,
)
from fund.ministry.selectors import RECOMMENDABLE
from fund.ministry.services import plan_create, proposal_recommend
from portal.core.vocabulary import EOK, Role

USERNAME = "motie"
UNIT = "제조AI 확산 TF"
# Demo proposals (alliance.demo) 산업부 recommends, by title, with the note it writes.
RECOMMENDED = (
    (
        "휴머노이드·AI 로봇 양산 거점 구축",
        "휴머노이드 분과 수요의 핵심 사업으로, 제조 AX 확산 효과가 커 펀드에 추천합니다.",
    ),
    (
        "양극재 AI 팩토리 구축",
        "AI 팩토리 선도 사례로 비수도권 투자와 공급망 효과가 커 펀드에 추천합니다.",
    ),
)
PLANS = (
    {
        "title": "제조 AI 학습용 대규모 공정 데이터 공동 구축",
        "kind": InfraKind.DATA,
        "description": (
            "회원사 공정 데이터를 표준화해 제조 AI 학습용 데이터셋을 공동 구축합니다. 참여 기업은 "
            "컨소시엄으로 제안서를 내 주세요. (데모 데이터)"
        ),
        "sub_alliance": "ai_factory",
        "region": "",
        "budget_krw": 3_000 * EOK,
    },
    {
        "title": "휴머노이드 실증 테스트베드 구축",
        "kind": InfraKind.TESTBED,
        "description": (
            "휴머노이드 로봇을 실제 제조 현장에서 시험하는 공동 테스트베드를 구축합니다. "
            "(데모 데이터)"
        ),
        "sub_alliance": "humanoid",
        "region": "gyeongnam",
        "budget_krw": 1_500 * EOK,
    },
)


def ministry_demo_ensure(*, password: str, result: SeedResult) -> None:
    """Create what is missing of the ministry's demo; an existing account is left as it is."""
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=USERNAME, defaults={"email": f"{USERNAME}@{DEMO_EMAIL_DOMAIN}"}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get_or_create(name=Role.MINISTRY)[0])
            MinistryMembership.objects.create(user=user, ministry=Ministry.MOTIE, unit=UNIT)
            result.users_created += 1
        else:
            result.kept.append(USERNAME)
        result.accounts.append(
            (USERNAME, "산업통상부 (제조AI 확산 TF)", "Ministry of Trade, Industry and Energy")
        )
        membership = MinistryMembership.objects.filter(user=user, ministry=Ministry.MOTIE)
        if not membership.exists():
            return  # an account of that name that is not 산업부's: the demo adds nothing
        for title, note in RECOMMENDED:
            proposal = Proposal.objects.filter(title=title, status__in=RECOMMENDABLE).first()
            if proposal is None or Recommendation.objects.filter(proposal=proposal).exists():
                continue
            proposal_recommend(proposal_id=proposal.pk, actor=user, note=note)
        for spec in PLANS:
            if InfraPlan.objects.filter(title=spec["title"]).exists():
                continue
            data = {**spec, "sub_alliance": SubAlliance.objects.get(code=spec["sub_alliance"])}
            plan_create(actor=user, data=data)
