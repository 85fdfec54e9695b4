"""The living part of the demo world (`seed_demo`): proposals at every step of their way.

`alliance.demo` signs the firms up and submits their first proposals; this module adds 43 more
and walks each through the portal's own services to where its row in JOURNEYS says, so every
role's screens have work on them: KEIT's inbox with questions out and withdrawals, packets
pending, delivered, acknowledged and one stuck, KDB's board at every stage with a committee
meeting and a council meeting and their agendas, decisions of each kind (approvals commit
capacity), and consultations pending and confirmed. Everything is recorded as it would be
(history, audit, packets, mail in the outbox).

Every amount is invented and small beside the channels (one proposal asks 200–3,000억);
together with `alliance.demo` no field's demand equals the surveyed figure (S1) and the
tests check that it never does (issue 14).

Idempotent: a proposal that exists (lead firm + title) is left as it is, with its journey; a
meeting (by title) or a consultation (firm + topic) likewise. A second run writes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from alliance.consultations.services import consultation_confirm, consultation_request
from alliance.demo import FIRMS, DemoProposal
from alliance.models import Consultation, FinancialInstitution, Firm, Proposal, User
from alliance.permissions import can_request_consultation
from alliance.proposals import services as proposals
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, PacketDirection, PacketState
from fund.review import services as review
from fund.review.models import CommitteeBody, CommitteeMeeting
from fund.site.models import Event, Registration
from fund.site.services import event_register
from matching.services import score_proposal
from portal.core.vocabulary import ChannelCode, Decision, ProposalStatus, ReviewStage

# Where each proposal's journey ends. The KEIT and KDB screens read these states.
DRAFT = "draft"
SUBMITTED = "submitted"
INFO_REQUESTED = "info_requested"  # KEIT asked the applicant a question
WITHDRAWN = "withdrawn"
REFERRED_PENDING = "referred_pending"  # the referral packet waits in the outbox
REFERRED_STUCK = "referred_stuck"  # the referral packet gave up after every attempt
RECEIVED = "received"  # delivered to KDB, not yet acknowledged
RECEIVED_ACK = "received_ack"  # delivered and acknowledged by KDB
PRESCREEN = "prescreen"
COMMITTEE = "committee"  # on the committee meeting's agenda
COUNCIL = "council"  # on the council meeting's agenda
APPROVED = Decision.APPROVED.value
APPROVED_WITH_CONDITIONS = Decision.APPROVED_WITH_CONDITIONS.value
DEFERRED = Decision.DEFERRED.value
REJECTED = Decision.REJECTED.value

STAGES_AFTER = {
    PRESCREEN: [ReviewStage.PRESCREEN],
    COMMITTEE: [ReviewStage.PRESCREEN, ReviewStage.COMMITTEE],
    COUNCIL: [ReviewStage.PRESCREEN, ReviewStage.COMMITTEE, ReviewStage.COUNCIL],
}
DECISIONS = (APPROVED, APPROVED_WITH_CONDITIONS, DEFERRED, REJECTED)

COMMITTEE_MEETING = "2026년 제3차 국민성장펀드 투자심의위원회"
COUNCIL_MEETING = "2026년 제2차 국민성장펀드 기금운용심의회"

# What each kind of project says about itself: (summary, fund uses, TRL, channel it names).
PROJECT = {
    "ax_conversion": (
        "기존 생산라인에 AI 검사·예지보전·공정 최적화를 도입해 불량률과 설비 정지 시간을 "
        "줄이고, 축적한 공정 데이터로 다른 공장에 같은 모델을 확산합니다.",
        ("facility", "rnd"),
        7,
    ),
    "new_facility": (
        "AI 기반 자동화 설비를 갖춘 생산 거점을 새로 구축해 국내 공급망을 넓히고, 지역 협력사와 "
        "함께 부품 국산화를 추진합니다.",
        ("facility",),
        7,
    ),
    "expansion": (
        "수요가 늘어난 제품의 생산능력을 증설하면서 AI 공정 관리 시스템을 함께 도입해 증설 "
        "라인의 수율을 조기에 안정시킵니다.",
        ("facility", "growth_equity"),
        8,
    ),
    "technology": (
        "핵심 AI 모델과 소프트웨어를 개발해 회원사 현장에서 실증하고, 실증 결과를 바탕으로 "
        "제품화와 외부 공급을 준비합니다.",
        ("rnd",),
        5,
    ),
    "infrastructure": (
        "회원사가 함께 쓰는 AI 데이터센터와 학습·추론 인프라를 구축해 중소 협력사의 AI 도입 "
        "비용을 낮춥니다.",
        ("shared_infra", "ai_data_center"),
        6,
    ),
}

REGION = {firm.name: firm.region for firm in FIRMS}


@dataclass(frozen=True)
class Journey:
    firm: str
    title: str
    sub_alliance: str
    industry: str
    project_type: str
    requested_eok: int
    channel: str
    end: str

    def proposal(self) -> DemoProposal:
        summary, fund_uses, trl = PROJECT[self.project_type]
        total = self.requested_eok * 2 + 200
        return DemoProposal(
            firm=self.firm,
            title=self.title,
            summary=summary,
            sub_alliance=self.sub_alliance,
            industry=self.industry,
            project_type=self.project_type,
            fund_uses=fund_uses,
            structure="corporate",
            region=REGION[self.firm],
            start=(2026, 7),
            end=(2029, 6),
            trl=trl,
            ai_related=True,
            total_eok=total,
            requested_eok=self.requested_eok,
            coinvest_eok=self.requested_eok,
            value_added_eok=self.requested_eok * 3,
            jobs=self.requested_eok // 5 + 20,
            channel=self.channel,
            status=ProposalStatus.DRAFT,
        )


J = Journey
# 43 proposals; with alliance.demo's 17 the demo world holds 60.
JOURNEYS = [
    # Drafts the firms are still writing
    J(
        "삼성전자",
        "가전 공장 온디바이스 AI 검사 확산",
        "ai_appliance",
        "ai",
        "ax_conversion",
        900,
        "",
        DRAFT,
    ),
    J(
        "CJ대한통운",
        "콜드체인 물류센터 AI 재고 관리",
        "ai_logistics",
        "ai",
        "ax_conversion",
        400,
        "loan",
        DRAFT,
    ),
    # KEIT's inbox: submitted, with questions out, and two withdrawn by their firms
    J(
        "SK AX",
        "중소 제조사용 AI 품질예측 서비스",
        "ai_manufacturing_service",
        "ai",
        "technology",
        350,
        "indirect",
        SUBMITTED,
    ),
    J(
        "마키나락스",
        "설비 이상탐지 AI 플랫폼 고도화",
        "ai_manufacturing_service",
        "ai",
        "technology",
        300,
        "",
        SUBMITTED,
    ),
    J(
        "퓨리오사AI",
        "추론용 AI 반도체 검증 라인 구축",
        "ai_semiconductor",
        "semiconductor",
        "new_facility",
        1_200,
        "indirect",
        SUBMITTED,
    ),
    J(
        "HD한국조선해양",
        "선박 용접 공정 AI 비전 검사",
        "autonomous_ship",
        "future_mobility",
        "ax_conversion",
        600,
        "loan",
        SUBMITTED,
    ),
    J(
        "에코프로비엠",
        "양극재 소성 공정 AI 최적화",
        "ai_factory",
        "secondary_battery",
        "ax_conversion",
        800,
        "",
        SUBMITTED,
    ),
    J(
        "두산로보틱스",
        "협동로봇 원격 정비 AI 서비스",
        "ai_manufacturing_service",
        "robot",
        "technology",
        250,
        "indirect",
        INFO_REQUESTED,
    ),
    J(
        "이수페타시스",
        "고다층 기판 AI 외관 검사 도입",
        "ai_semiconductor",
        "semiconductor",
        "ax_conversion",
        450,
        "loan",
        INFO_REQUESTED,
    ),
    J(
        "현대자동차",
        "차량 도장 공정 AI 색차 관리",
        "ai_factory",
        "future_mobility",
        "ax_conversion",
        500,
        "loan",
        WITHDRAWN,
    ),
    J(
        "CJ대한통운",
        "택배 분류 로봇 시범 도입",
        "ai_logistics",
        "robot",
        "technology",
        200,
        "",
        WITHDRAWN,
    ),
    # Referred: packets waiting, stuck, delivered, acknowledged
    J(
        "삼성전자",
        "AI 반도체 후공정 테스트 자동화",
        "ai_semiconductor",
        "semiconductor",
        "expansion",
        1_500,
        "loan",
        REFERRED_PENDING,
    ),
    J(
        "SK AX",
        "제조 데이터 공유 플랫폼 구축",
        "ai_manufacturing_service",
        "ai",
        "infrastructure",
        700,
        "infra",
        REFERRED_PENDING,
    ),
    J(
        "HD한국조선해양",
        "자율운항 선박 원격관제 센터",
        "autonomous_ship",
        "future_mobility",
        "infrastructure",
        900,
        "infra",
        REFERRED_STUCK,
    ),
    J(
        "두산로보틱스",
        "로봇 감속기 국산화 라인 증설",
        "humanoid",
        "robot",
        "expansion",
        650,
        "loan",
        RECEIVED,
    ),
    J(
        "마키나락스",
        "공정 최적화 AI 모델 학습 인프라",
        "ai_factory",
        "ai",
        "infrastructure",
        550,
        "infra",
        RECEIVED,
    ),
    J(
        "에코프로비엠",
        "전구체 공장 AI 에너지 관리",
        "ai_factory",
        "secondary_battery",
        "ax_conversion",
        700,
        "loan",
        RECEIVED,
    ),
    J(
        "현대자동차",
        "전기차 구동계 AI 조립 라인",
        "autonomous_vehicle",
        "future_mobility",
        "new_facility",
        2_000,
        "loan",
        RECEIVED_ACK,
    ),
    J(
        "퓨리오사AI",
        "AI 반도체 소프트웨어 개발도구 고도화",
        "ai_semiconductor",
        "ai",
        "technology",
        400,
        "indirect",
        RECEIVED_ACK,
    ),
    # KDB's pipeline
    J(
        "삼성전자",
        "로봇 관절 모듈 시험 생산 라인",
        "humanoid",
        "robot",
        "new_facility",
        1_800,
        "loan",
        PRESCREEN,
    ),
    J(
        "CJ대한통운",
        "AI 수요예측 기반 풀필먼트 센터",
        "ai_logistics",
        "ai",
        "new_facility",
        1_300,
        "loan",
        PRESCREEN,
    ),
    J(
        "이수페타시스",
        "AI 서버용 기판 생산능력 증설",
        "ai_semiconductor",
        "semiconductor",
        "expansion",
        1_100,
        "loan",
        PRESCREEN,
    ),
    J(
        "SK AX",
        "산업단지 공동 AI 추론 센터",
        "ai_factory",
        "ai",
        "infrastructure",
        1_600,
        "infra",
        PRESCREEN,
    ),
    J(
        "현대자동차",
        "자율주행 센서 모듈 생산시설",
        "autonomous_vehicle",
        "future_mobility",
        "new_facility",
        2_400,
        "loan",
        COMMITTEE,
    ),
    J(
        "두산로보틱스",
        "휴머노이드 손 모듈 개발",
        "humanoid",
        "robot",
        "technology",
        600,
        "indirect",
        COMMITTEE,
    ),
    J(
        "HD한국조선해양",
        "스마트 조선소 디지털 트윈 구축",
        "autonomous_ship",
        "future_mobility",
        "ax_conversion",
        1_400,
        "loan",
        COMMITTEE,
    ),
    J(
        "마키나락스",
        "제조 AI 에이전트 상용화",
        "ai_manufacturing_service",
        "ai",
        "technology",
        350,
        "indirect",
        COMMITTEE,
    ),
    J(
        "에코프로비엠",
        "폐배터리 재활용 AI 선별 라인",
        "ai_factory",
        "secondary_battery",
        "new_facility",
        1_000,
        "loan",
        COMMITTEE,
    ),
    J(
        "삼성전자",
        "AI 가전 부품 스마트공장 전환",
        "ai_appliance",
        "ai",
        "ax_conversion",
        1_200,
        "loan",
        COUNCIL,
    ),
    J(
        "퓨리오사AI",
        "차세대 AI 가속기 시제품 양산",
        "ai_semiconductor",
        "semiconductor",
        "new_facility",
        2_500,
        "direct",
        COUNCIL,
    ),
    J(
        "CJ대한통운",
        "항만 물류 자동화 로봇 도입",
        "ai_logistics",
        "robot",
        "ax_conversion",
        800,
        "loan",
        COUNCIL,
    ),
    J(
        "SK AX",
        "AI 제조 운영체제 개발",
        "ai_manufacturing_service",
        "ai",
        "technology",
        450,
        "indirect",
        COUNCIL,
    ),
    # Decided: each kind of decision
    J(
        "현대자동차",
        "배터리 모듈 AI 검사 라인 증설",
        "ai_factory",
        "future_mobility",
        "expansion",
        1_500,
        "loan",
        APPROVED,
    ),
    J(
        "이수페타시스",
        "AI 가속기 기판 신규 공장",
        "ai_semiconductor",
        "semiconductor",
        "new_facility",
        3_000,
        "loan",
        APPROVED,
    ),
    J(
        "마키나락스",
        "중소 제조사 AI 전환 지원 플랫폼",
        "ai_manufacturing_service",
        "ai",
        "technology",
        300,
        "indirect",
        APPROVED,
    ),
    J(
        "HD한국조선해양",
        "선박 블록 조립 로봇화",
        "autonomous_ship",
        "robot",
        "ax_conversion",
        1_100,
        "loan",
        APPROVED,
    ),
    J(
        "두산로보틱스",
        "로봇 AI 학습 데이터센터",
        "humanoid",
        "ai",
        "infrastructure",
        900,
        "infra",
        APPROVED_WITH_CONDITIONS,
    ),
    J(
        "에코프로비엠",
        "양극재 품질 AI 예측 시스템",
        "ai_factory",
        "secondary_battery",
        "ax_conversion",
        600,
        "loan",
        APPROVED_WITH_CONDITIONS,
    ),
    J(
        "삼성전자",
        "반도체 장비 예지보전 AI",
        "ai_semiconductor",
        "semiconductor",
        "ax_conversion",
        1_000,
        "loan",
        APPROVED_WITH_CONDITIONS,
    ),
    J(
        "CJ대한통운",
        "도심 물류 자율주행 배송 실증",
        "ai_logistics",
        "future_mobility",
        "technology",
        500,
        "indirect",
        DEFERRED,
    ),
    J(
        "SK AX",
        "AI 공정 시뮬레이션 서비스",
        "ai_manufacturing_service",
        "ai",
        "technology",
        250,
        "indirect",
        DEFERRED,
    ),
    J(
        "퓨리오사AI",
        "AI 반도체 해외 설계 법인 인수",
        "ai_semiconductor",
        "semiconductor",
        "technology",
        2_200,
        "direct",
        REJECTED,
    ),
    J(
        "현대자동차",
        "모빌리티 AI 데이터 수집 차량",
        "autonomous_vehicle",
        "ai",
        "technology",
        700,
        "indirect",
        REJECTED,
    ),
]
del J

CONSULTATIONS = [
    # firm contact, institution, topic, what they write, confirmed?
    (
        "applicant",
        "산업은행",
        "channel_fit",
        "초저리대출 채널 신청 전 자금 조달 구조를 상담하고 싶습니다.",
        True,
    ),
    (
        "applicant2",
        "KB국민은행",
        "loan_terms",
        "휴머노이드 양산 설비의 시설자금 조건을 알고 싶습니다.",
        False,
    ),
    (
        "skax",
        "미래에셋증권",
        "investment_structure",
        "AI 제조 운영체제 사업의 지분 투자 유치 방안을 묻고 싶습니다.",
        False,
    ),
    (
        "isupetasys",
        "신한은행",
        "documents",
        "기판 공장 증설 자금 신청에 필요한 서류를 확인하고 싶습니다.",
        True,
    ),
]


# People registered for the open events (example.com addresses: the mail reaches no one).
REGISTRANTS = [
    ("김민준", "현대자동차", "minjun.kim", "010-2345-6789"),
    ("이서연", "두산로보틱스", "seoyeon.lee", "010-3456-7890"),
    ("박지훈", "퓨리오사AI", "jihoon.park", "010-4567-8901"),
    ("최수아", "에코프로비엠", "sua.choi", "010-5678-9012"),
    ("정도윤", "마키나락스", "doyoon.jung", "010-6789-0123"),
]


@dataclass
class PipelineDemoResult:
    proposals_created: int = 0
    meetings_created: int = 0
    consultations_created: int = 0
    registrations_created: int = 0
    journeys: dict[str, int] = field(default_factory=dict)


def _deliver(proposal: Proposal) -> None:
    """Deliver every packet of the proposal in the outbox, as the worker would, including
    those the intakes write meanwhile (a referral taken in answers with `received`)."""
    pending = CoordinationPacket.objects.filter(proposal=proposal, state=PacketState.PENDING)
    while packet_ids := list(pending.values_list("pk", flat=True)):
        for packet_id in packet_ids:
            coordination.packet_deliver(packet_id=packet_id)


def _meeting(*, title: str, body: str, days_ahead: int, kdb: User, result) -> CommitteeMeeting:
    meeting = CommitteeMeeting.objects.filter(title=title).first()
    if meeting is None:
        local = timezone.localtime() + datetime.timedelta(days=days_ahead)
        meets_at = local.replace(hour=14, minute=0, second=0, microsecond=0)
        meeting = review.committee_meeting_create(
            actor=kdb,
            body=body,
            meets_at=meets_at,
            title=title,
            location="서울 영등포구 은행로 14 KDB산업은행 본점 대회의실",
        )
        result.meetings_created += 1
    return meeting


def _walk(journey: Journey, proposal: Proposal, *, applicant, keit, kdb, meetings) -> None:
    """Take a new draft to where its journey ends, through the services people use."""
    end = journey.end
    if end == DRAFT:
        return
    proposals.proposal_submit(proposal_id=proposal.pk, actor=applicant)
    if end == WITHDRAWN:
        proposals.proposal_withdraw(
            proposal_id=proposal.pk, actor=applicant, note="사업 일정을 다시 잡은 뒤 제출합니다."
        )
        return
    score_proposal(proposal_id=proposal.pk)
    if end == SUBMITTED:
        return
    if end == INFO_REQUESTED:
        proposals.proposal_request_info(
            proposal_id=proposal.pk,
            actor=keit,
            question="민간 공동투자 확약서와 최근 3년 재무제표를 올려 주세요.",
        )
        return
    packet = coordination.proposal_refer(
        proposal_id=proposal.pk,
        actor=keit,
        note="분과 검토를 마쳤습니다. 희망 채널의 요건을 충족합니다.",
        channel=journey.channel or "",
    )
    if end == REFERRED_PENDING:
        return
    if end == REFERRED_STUCK:
        # As after a long broker outage: every attempt made, the sweep gives up on it.
        CoordinationPacket.objects.filter(pk=packet.pk).update(
            attempts=coordination.max_attempts(),
            next_attempt_at=timezone.now(),
            last_error="Connection refused: the broker did not answer.",
        )
        coordination.sweep(now=timezone.now())
        return
    _deliver(proposal)
    if end == RECEIVED:
        return
    inbound = CoordinationPacket.objects.filter(
        proposal=proposal, direction=PacketDirection.KEIT_TO_KDB
    )
    for packet_id in inbound.values_list("pk", flat=True):
        coordination.packet_acknowledge(packet_id=packet_id, actor=kdb)
    if end == RECEIVED_ACK:
        return
    review.review_assign(proposal_id=proposal.pk, actor=kdb, reviewer=kdb)
    for stage in STAGES_AFTER.get(end, STAGES_AFTER[COUNCIL]):
        review.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage=stage)
        _deliver(proposal)
    if end == PRESCREEN:
        review.review_comment_add(
            proposal_id=proposal.pk,
            actor=kdb,
            body="사업계획서의 설비 투자 일정과 자금 집행 계획을 확인하고 있습니다.",
        )
        return
    if end in (COMMITTEE, COUNCIL):
        review.agenda_add(meeting_id=meetings[end].pk, proposal_id=proposal.pk, actor=kdb)
        return
    requested = proposal.requested_krw
    channel = journey.channel or ChannelCode.LOAN
    if end == APPROVED:
        review.proposal_decide(
            proposal_id=proposal.pk,
            actor=kdb,
            decision=end,
            channel=channel,
            amount_krw=requested,
        )
    elif end == APPROVED_WITH_CONDITIONS:
        review.proposal_decide(
            proposal_id=proposal.pk,
            actor=kdb,
            decision=end,
            channel=channel,
            amount_krw=requested * 4 // 5,
            conditions="민간 공동투자 확약서를 약정 전에 제출할 것.",
        )
    else:
        review.proposal_decide(
            proposal_id=proposal.pk,
            actor=kdb,
            decision=end,
            conditions=(
                "시장 수요 자료를 보완해 다음 회차에 다시 상정합니다."
                if end == DEFERRED
                else "채널 요건(공동투자 비율)을 충족하지 못합니다."
            ),
        )
    _deliver(proposal)


def _next_weekday_slots(count: int) -> list[datetime.datetime]:
    """Weekday times at 10:00 and 14:00 (Korean time), starting a week from today."""
    day = timezone.localtime().date() + datetime.timedelta(days=7)
    slots = []
    while len(slots) < count:
        if day.weekday() < 5:
            for hour in (10, 14):
                slots.append(
                    timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
                )
        day += datetime.timedelta(days=1)
    return slots[:count]


def _consultations(*, keit: User, result: PipelineDemoResult) -> None:
    slots = _next_weekday_slots(2)
    for username, institution_name, topic, message, confirmed in CONSULTATIONS:
        applicant = User.objects.filter(username=username, firm__isnull=False).first()
        if applicant is None or not can_request_consultation(applicant):
            continue  # an existing account that is no longer a firm's applicant is left be
        institution = FinancialInstitution.objects.get(name=institution_name)
        if Consultation.objects.filter(firm=applicant.firm, institution=institution).exists():
            continue
        consultation = consultation_request(
            actor=applicant,
            institution=institution,
            topic=topic,
            message=message,
            preferred_slots=slots,
        )
        result.consultations_created += 1
        if confirmed:
            consultation_confirm(
                consultation_id=consultation.pk,
                actor=keit,
                slot=slots[0],
                place="서울 영등포구 은행로 14 KDB산업은행 본점 상담실",
            )


def _registrations(result: PipelineDemoResult) -> None:
    """A few registrations for each event open to the public, fewer for the later ones."""
    now = timezone.now()
    open_events = Event.objects.filter(
        published=True,
        invitation_only=False,
        registration_opens_at__lte=now,
        registration_closes_at__gt=now,
    ).order_by("starts_at")
    for index, event in enumerate(open_events):
        for name, organization, mailbox, phone in REGISTRANTS[: len(REGISTRANTS) - index]:
            email = f"{mailbox}@example.com"
            if Registration.objects.filter(event=event, email__iexact=email).exists():
                continue
            event_register(
                event=event,
                name=name,
                organization=organization,
                email=email,
                phone=phone,
                consent=True,
            )
            result.registrations_created += 1


def pipeline_demo_ensure() -> PipelineDemoResult:
    """Walk every missing journey; leaves existing proposals, meetings and consultations be.

    Runs inside seed_demo's transaction, after `seed_demo_world` (firms, users, channels) and
    with automatic routing paused (`routing_demo_ensure`), so only these steps refer."""
    result = PipelineDemoResult()
    keit = User.objects.get(username="keit")
    kdb = User.objects.get(username="kdb")
    firms = {firm.name: firm for firm in Firm.objects.filter(name__in=REGION)}
    contacts = {spec.name: User.objects.get(username=spec.contact) for spec in FIRMS}
    meetings = {
        COMMITTEE: _meeting(
            title=COMMITTEE_MEETING,
            body=CommitteeBody.COMMITTEE,
            days_ahead=10,
            kdb=kdb,
            result=result,
        ),
        COUNCIL: _meeting(
            title=COUNCIL_MEETING,
            body=CommitteeBody.COUNCIL,
            days_ahead=24,
            kdb=kdb,
            result=result,
        ),
    }
    # Packets are delivered here, step by step, as the worker would; the ones a journey leaves
    # in the outbox stay there for the sweep.
    with coordination.deliveries_held():
        for journey in JOURNEYS:
            firm = firms[journey.firm]
            if Proposal.objects.filter(firm=firm, title=journey.title).exists():
                continue
            applicant = contacts[journey.firm]
            proposal = proposals.proposal_create(
                actor=applicant, data=journey.proposal().data(), partners=[]
            )
            _walk(journey, proposal, applicant=applicant, keit=keit, kdb=kdb, meetings=meetings)
            result.proposals_created += 1
            result.journeys[journey.end] = result.journeys.get(journey.end, 0) + 1
    _consultations(keit=keit, result=result)
    _registrations(result)
    return result
