"""The information site's first notices, FAQ and events for the demo world (`seed_demo`)."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from fund.site.facts import Registry, registry
from fund.site.models import (
    Event,
    EventKind,
    Faq,
    Notice,
    Source,
)
from fund.site.services import event_create, faq_create, notice_create

MEETING_TIME = re.compile(r"(\d{1,2}):(\d{2})\D+(\d{1,2}):(\d{2})")

# Notices and answers state public figures as [[key]] references to the fact registry: the
# page shows each with its source, and a corrected fact corrects every text that cites it.
DEMO_NOTICES = [
    {
        "title": "M.AX 얼라이언스 × 국민성장펀드 매칭 포털을 열었습니다",
        "pinned": True,
        "body": (
            "M.AX 얼라이언스 회원사의 AX 투자 수요를 국민성장펀드와 연결하는 포털을 "
            "열었습니다. [[site-opened-by]]\n\n"
            "회원사는 포털에서 AX 투자 제안서를 작성·제출하고, 네 가지 펀드 채널(직접투자, "
            "간접투자, 초저리대출, 인프라 투·융자)과의 적합도와 그 이유를 확인할 수 있습니다. "
            "얼라이언스 사무국(KEIT)이 검토한 제안은 펀드 사무국(한국산업은행)으로 연계되어 "
            "심의 절차를 밟습니다."
        ),
    },
    {
        "title": "2026년 국민성장펀드 채널별 운용 계획 안내",
        "pinned": False,
        "body": (
            "「2026년 국민성장펀드 운용방안」의 채널별 운용 계획은 다음과 같습니다.\n\n"
            "직접투자 [[channel-direct-plan-2026]]\n"
            "간접투자 [[channel-indirect-plan-2026]]\n"
            "초저리대출 [[channel-loan-plan-2026]]\n"
            "인프라 투·융자 [[channel-infra-plan-2026]]\n\n"
            "2026년 운용 규모: [[fund-2026-total]]\n"
            "지역 투자: [[fund-2026-regional-share]] ([[fund-2026-regional-amount]])\n"
            "중소·중견기업 지원: [[fund-2026-sme]]\n\n"
            "5년간 펀드 규모는 [[fund-size]]이며, AI 전환을 포함한 AI 관련 산업 투자 목표는 "
            "[[fund-ai-target]]입니다."
        ),
    },
    {
        "title": "AX 투자 제안서 접수 안내",
        "pinned": False,
        "body": (
            "회원사 인증을 마친 기업은 언제든지 AX 투자 제안서를 제출할 수 있습니다.\n"
            "사업계획, 소요 자금, 희망 채널(또는 포털 추천)을 입력하고 사업계획서와 재무제표를 "
            "첨부해 주세요. 컨소시엄 제안도 가능합니다."
        ),
    },
]

DEMO_FAQS = [
    (
        "eligibility",
        "기업 규모에 따른 신청 제한이 있나요?",
        "[[fund-firm-size]]\n\n"
        "국민성장펀드가 투자하는 첨단전략산업은 [[fund-industries]]입니다. 반도체, 이차전지, "
        "백신, 디스플레이, 수소, 미래차, 바이오, AI, 방산, 로봇, 문화·콘텐츠, 핵심광물이 "
        "해당합니다.",
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
        "얼라이언스 사무국(KEIT)이 제안을 검토해 펀드 사무국(한국산업은행)으로 연계합니다. "
        "사무국의 사전검토를 거친 뒤에는 국민성장펀드가 결정합니다. [[fund-decision]]\n\n"
        "포털이 제안을 평가하는 항목: [[fund-review-criteria]]",
    ),
    (
        "channels",
        "네 가지 채널은 어떻게 다른가요?",
        "직접투자 [[channel-direct-size]]: [[channel-direct-funds]]\n"
        "간접투자 [[channel-indirect-size]]: [[channel-indirect-funds]]\n"
        "초저리대출 [[channel-loan-size]]: [[channel-loan-funds]], [[channel-loan-terms]]\n"
        "인프라 투·융자 [[channel-infra-size]]: [[channel-infra-funds]]\n\n"
        "2026년 운용방안: [[channel-infra-funds-2026]]",
    ),
    (
        "channels",
        "지역 투자 비중 기준이 있나요?",
        "5년 전체의 지역 투자 비중은 공표된 자료에 없습니다. 「2026년 국민성장펀드 "
        "운용방안」은 2026년에 [[fund-2026-regional-share]] ([[fund-2026-regional-amount]])를 "
        "지역에 투자할 계획입니다.",
    ),
    (
        "events",
        "신청한 행사에 참석하지 못하게 되면 어떻게 하나요?",
        "신청 확인 메일에 있는 취소 링크로 직접 취소해 주세요. 정원이 찬 행사는 대기자 "
        "가운데 먼저 신청한 분에게 자리가 넘어가고, 메일로 확정 안내가 발송됩니다.",
    ),
    (
        "other",
        "포털 이용 중 문의는 어디로 하나요?",
        "얼라이언스·제안 관련 문의는 얼라이언스 사무국(KEIT), 펀드 채널·심의 관련 문의는 "
        "펀드 사무국(한국산업은행)으로 해 주세요. 연락처는 문의 페이지에 있습니다.",
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
    if meeting_event_ensure(registry()) is not None:
        created["events"] += 1
    return created


def meeting_event_ensure(reg: Registry) -> Event | None:
    """The 2025-12-04 linkage meeting (S1) as a past event, built from the registry's facts:
    by invitation, with its hosts, participants and source. Returns it when created now."""
    title = reg.fact("meeting-title").text_ko
    if Event.objects.filter(title=title).exists():
        return None
    day = reg.fact("meeting-date").date
    start_h, start_m, end_h, end_m = (
        int(n) for n in MEETING_TIME.search(reg.fact("meeting-time").text_ko).groups()
    )
    zone = timezone.get_default_timezone()
    starts = datetime.datetime(day.year, day.month, day.day, start_h, start_m, tzinfo=zone)
    participants = "\n".join(
        f"{reg.fact(key).label_ko}: {reg.fact(key).text_ko}"
        for key in ("meeting-government", "meeting-finance", "meeting-industry")
    )
    return event_create(
        actor=None,
        kind=EventKind.MEETING,
        title=title,
        description=(
            "산업통상부와 금융위원회가 M.AX 얼라이언스와 국민성장펀드의 연계를 강화하기 위해 "
            "공동으로 연 간담회입니다. 얼라이언스 참여 기업들이 국민성장펀드와 연계할 수 있는 "
            "제조 AX 투자계획을 발표했습니다.\n\n"
            f"{reg.fact('meeting-plans').label_ko}: {reg.fact('meeting-plans').text_ko}"
        ),
        starts_at=starts,
        ends_at=starts.replace(hour=end_h, minute=end_m),
        place=reg.fact("meeting-place").text_ko,
        online_url="",
        # An invitation-only meeting takes no registration; the field still needs a number.
        capacity=1,
        registration_opens_at=starts - datetime.timedelta(days=7),
        registration_closes_at=starts,
        invitation_only=True,
        hosts=reg.fact("meeting-hosts").text_ko,
        participants=participants,
        source=Source.objects.get(key=reg.fact("meeting-title").source_key),
        published=True,
    )
