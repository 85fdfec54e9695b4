"""The information site's first notices, FAQ and events for the demo world (`seed_demo`)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fund.site.models import (
    Event,
    Faq,
    Notice,
)
from fund.site.services import event_create, faq_create, notice_create

DEMO_NOTICES = [
    {
        "title": "M.AX 얼라이언스 × 국민성장펀드 매칭 포털을 열었습니다",
        "pinned": True,
        "body": (
            "M.AX 얼라이언스 회원사의 AX 투자 수요를 국민성장펀드와 연결하는 전용 포털을 "
            "열었습니다.\n\n"
            "회원사는 포털에서 AX 투자 제안서를 작성·제출하고, 네 가지 펀드 채널(직접투자, "
            "간접투자, 초저리대출, 인프라 투·융자)과의 적합도와 그 이유를 확인할 수 있습니다. "
            "KEIT 얼라이언스 사무국이 검토한 제안은 KDB 국민성장펀드 사무국으로 이관되어 "
            "심의 절차를 밟습니다."
        ),
    },
    {
        "title": "2026년 국민성장펀드 채널별 운용 계획 안내",
        "pinned": False,
        "body": (
            "2026년 채널별 운용 계획은 다음과 같습니다.\n\n"
            "직접투자 3조원, 간접투자 7조원, 초저리대출 10조원, 인프라 투·융자 10조원.\n\n"
            "5년간 150조원 이상 가운데 30조원 이상이 AI 관련 산업에 투입되며, 40% 이상은 "
            "비수도권 지역에 투자됩니다."
        ),
    },
    {
        "title": "AX 투자 제안서 접수 안내",
        "pinned": False,
        "body": (
            "회원사 인증을 마친 기업은 언제든지 AX 투자 제안서를 제출할 수 있습니다.\n"
            "사업계획, 소요 자금, 희망 채널(또는 포털 추천)을 입력하고 사업계획서와 재무제표를 "
            "첨부해 주십시오. 컨소시엄 제안도 가능합니다."
        ),
    },
]

DEMO_FAQS = [
    (
        "eligibility",
        "기업 규모에 따른 신청 제한이 있나요?",
        "없습니다. 국민성장펀드는 기업 규모를 제한하지 않습니다. 반도체, 이차전지, 백신, "
        "디스플레이, 수소, 미래형 이동수단, 바이오, AI, 방산, 로봇, 문화·콘텐츠, 핵심광물 등 "
        "12개 첨단전략산업에 해당하는 사업이면 신청할 수 있습니다.",
    ),
    (
        "eligibility",
        "얼라이언스 회원사가 아니어도 포털에서 제안할 수 있나요?",
        "포털의 제안 접수는 M.AX 얼라이언스 회원사를 대상으로 합니다. 회원 가입 후 KEIT "
        "얼라이언스 사무국의 회원사 인증을 받으면 제안서를 제출할 수 있습니다.",
    ),
    (
        "process",
        "제안서를 제출하면 어떤 절차로 검토되나요?",
        "KEIT 얼라이언스 사무국이 제안을 검토해 국민성장펀드 사무국(KDB)으로 이관합니다. "
        "이후 사전검토, 투자심의위원회(사업성·재무구조·기술·시장성·정책적 효과), "
        "기금운용심의회를 거쳐 승인, 조건부 승인, 보류, 반려 가운데 하나로 결정됩니다.",
    ),
    (
        "channels",
        "네 가지 채널은 어떻게 다른가요?",
        "직접투자(15조원)는 JV·SPC를 통한 지분투자와 핵심기술 기업 M&A, 간접투자(35조원)는 "
        "민간과 함께 조성하는 정책 모펀드, 초저리대출(50조원)은 국고채 수준 금리의 장기 설비·"
        "R&D 대출, 인프라 투·융자(50조원)는 AI 데이터센터·전력망 등 공동 인프라에 쓰입니다.",
    ),
    (
        "channels",
        "지역 투자 비중 기준이 있나요?",
        "국민성장펀드는 전체의 40% 이상을 수도권(서울·인천·경기) 밖 지역에 투자합니다.",
    ),
    (
        "events",
        "신청한 행사에 참석하지 못하게 되면 어떻게 하나요?",
        "신청 확인 메일에 있는 취소 링크로 직접 취소해 주십시오. 정원이 찬 행사는 대기자 "
        "가운데 먼저 신청한 분에게 자리가 넘어가고, 메일로 확정 안내가 발송됩니다.",
    ),
    (
        "other",
        "포털 이용 중 문의는 어디로 하나요?",
        "얼라이언스·제안 관련 문의는 KEIT 얼라이언스 사무국, 펀드 채널·심의 관련 문의는 KDB "
        "국민성장펀드 사무국으로 해 주십시오. 연락처는 문의 페이지에 있습니다.",
    ),
]

DEMO_EVENTS = [
    {
        "kind": "seminar",
        "title": "국민성장펀드 채널별 지원 조건 설명회",
        "description": (
            "KDB 국민성장펀드 사무국이 네 가지 투자 채널의 지원 대상, 조건, 심의 절차를 "
            "설명하고 질의응답을 진행합니다."
        ),
        "days_ahead": 14,
        "hour": 14,
        "hours": 2,
        "place": "서울 중구 세종대로 39 대한상공회의소 국제회의실",
        "online_url": "",
        "capacity": 200,
    },
    {
        "kind": "consultation_fair",
        "title": "M.AX 회원사 × 금융기관 투자 상담회",
        "description": (
            "산업은행, 시중은행, 증권사 담당자와 회원사가 1:1로 만나 AX 투자 계획과 자금 "
            "조달 방안을 상담합니다. 상담 시간은 기관별 30분입니다."
        ),
        "days_ahead": 21,
        "hour": 10,
        "hours": 6,
        "place": "서울 영등포구 은행로 14 KDB산업은행 본점",
        "online_url": "",
        "capacity": 60,
    },
    {
        "kind": "workshop",
        "title": "AI 팩토리 분과 AX 투자 제안서 작성 워크숍",
        "description": (
            "KEIT 얼라이언스 사무국과 함께 AX 투자 제안서의 사업계획, 소요 자금, 기대 효과를 "
            "작성하는 방법을 실습합니다. 현장과 온라인으로 동시에 진행합니다."
        ),
        "days_ahead": 28,
        "hour": 13,
        "hours": 3,
        "place": "대구 동구 첨단로8길 32 KEIT 대회의실",
        "online_url": "https://meet.example.kr/max-ax-workshop",
        "capacity": 40,
    },
]


def site_demo_content_ensure() -> dict[str, int]:
    """Create the demo site's notices, FAQ and three upcoming events open for registration,
    unless an item with the same title already exists (idempotent). Returns what was created."""
    created = {"notices": 0, "faqs": 0, "events": 0}
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for days_ago, item in zip((2, 5, 9), DEMO_NOTICES, strict=True):
        if not Notice.objects.filter(title=item["title"]).exists():
            notice = notice_create(actor=None, published=True, **item)
            # Spread the dates so the list looks like a real history.
            Notice.objects.filter(pk=notice.pk).update(
                published_at=now - datetime.timedelta(days=days_ago)
            )
            created["notices"] += 1
    for order, (category, question, answer) in enumerate(DEMO_FAQS):
        if not Faq.objects.filter(question=question).exists():
            faq_create(
                actor=None,
                category=category,
                question=question,
                answer=answer,
                order=order,
                published=True,
            )
            created["faqs"] += 1
    for item in DEMO_EVENTS:
        if Event.objects.filter(title=item["title"]).exists():
            continue
        starts = (now + datetime.timedelta(days=item["days_ahead"])).replace(hour=item["hour"])
        event_create(
            actor=None,
            kind=item["kind"],
            title=item["title"],
            description=item["description"],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=item["hours"]),
            place=item["place"],
            online_url=item["online_url"],
            capacity=item["capacity"],
            registration_opens_at=now - datetime.timedelta(days=1),
            registration_closes_at=starts - datetime.timedelta(days=1),
            published=True,
        )
        created["events"] += 1
    return created
