"""The demo world's financial institutions (issue 17): users `bank` (우리은행) and `securities`
(미래에셋증권), an offer for each of the seven institutions, and a few proposals opened to
institutions with interests in every state (open, accepted, declined, closed).

Idempotent: what exists is left as it is (an offer someone edited, a share a firm withdrew,
an account someone changed); only what is missing is created. The offers' figures are demo
data, and say so."""

from __future__ import annotations

from django.db import transaction

from alliance.demo import SeedResult, _ensure_user
from alliance.models import FinancialInstitution, Proposal, User
from fund.institutions import services
from fund.institutions.models import Interest, Offer, ProposalShare
from matching import services as matching_services
from portal.core.vocabulary import EOK, JO, Role

DEMO_NOTE = " (데모 데이터 / demo data)"

# name → channels, industries, sub-alliances, regions, min, max, description
OFFERS = {
    "산업은행": (
        ["direct", "indirect", "loan", "infra"],
        [],
        [],
        [],
        100 * EOK,
        5 * JO,
        "정책금융으로 네 채널 모두에 참여합니다 / Policy finance across all four channels",
    ),
    "우리은행": (
        ["loan", "infra"],
        [],
        [],
        [],
        50 * EOK,
        3000 * EOK,
        "AX 설비 투자 대출과 인프라 금융 / Loans for AX facilities and infrastructure finance",
    ),
    "하나은행": (
        ["loan"],
        ["semiconductor", "secondary_battery", "future_mobility", "ai"],
        [],
        [],
        50 * EOK,
        2000 * EOK,
        "첨단산업 시설자금 대출 / Facility loans for strategic industries",
    ),
    "KB국민은행": (
        ["loan", "infra"],
        [],
        [],
        [],
        100 * EOK,
        5000 * EOK,
        "대규모 설비·인프라 대출 / Large facility and infrastructure loans",
    ),
    "신한은행": (
        ["loan"],
        [],
        ["ai_factory", "ai_logistics", "ai_semiconductor"],
        [],
        30 * EOK,
        2000 * EOK,
        "AI 팩토리·물류·반도체 분과 대출 / Loans to the AI factory, logistics and chip "
        "sub-alliances",
    ),
    "미래에셋증권": (
        ["direct", "indirect", "infra"],
        ["ai", "semiconductor", "robot", "future_mobility"],
        [],
        [],
        100 * EOK,
        1 * JO,
        "지분 투자, 펀드 운용, 인프라 금융 주선 / Equity, fund management and infrastructure "
        "finance arrangement",
    ),
    "메리츠증권": (
        ["indirect", "infra"],
        [],
        [],
        [],
        50 * EOK,
        3000 * EOK,
        "간접투자 펀드와 인프라 금융 / Indirect funds and infrastructure finance",
    ),
}

# username → institution, Korean label, English label
USERS = {
    "bank": ("우리은행", "금융기관 · 우리은행", "Financial institution · Woori Bank"),
    "securities": (
        "미래에셋증권",
        "금융기관 · 미래에셋증권",
        "Financial institution · Mirae Asset Securities",
    ),
}

# (firm, title) → the interests it receives: (username, state, message)
OPENED = [
    (
        ("현대자동차", "울산공장 AI 팩토리 전환"),
        [("bank", "accepted", "설비 투자 대출 조건을 협의하고 싶습니다.")],
    ),
    (
        ("현대자동차", "제조·모빌리티 특화 AI 파운데이션 모델 개발"),
        [("securities", "open", "인프라 금융 주선을 제안드리고 싶습니다.")],
    ),
    (
        ("두산로보틱스", "협동로봇 기반 AI 팩토리 솔루션 확산"),
        [("bank", "declined", "시설자금 대출을 검토하고 싶습니다.")],
    ),
    (("CJ대한통운", "AI 기반 지능형 물류센터 구축"), []),
    (("SK AX", "제조 AI 에이전트 서비스 플랫폼 구축"), []),
]
# Opened, shown interest, then withdrawn by the firm: the interest is closed.
WITHDRAWN = (
    ("마키나락스", "산업 AI 플랫폼 기반 중소 제조기업 AI 팩토리 공동 구축"),
    ("securities", "간접투자 펀드 편입을 검토하고 싶습니다."),
)


def _lead_applicant(proposal: Proposal) -> User:
    return proposal.created_by


def _ensure_users(*, password: str, result: SeedResult) -> dict[str, User]:
    users = {}
    for username, (name, label_ko, label_en) in USERS.items():
        institution = FinancialInstitution.objects.get(name=name)
        user, created = _ensure_user(
            username, password=password, role=Role.INSTITUTION, result=result
        )
        if created:
            user.institution = institution
            user.save(update_fields=["institution"])
        result.users_created += created
        result.accounts.append((username, label_ko, label_en))
        users[username] = user
    return users


def _ensure_offers(users: dict[str, User]) -> None:
    staff = {u.institution_id: u for u in users.values() if u.institution_id}
    for name, (channels, industries, subs, regions, low, high, text) in OFFERS.items():
        institution = FinancialInstitution.objects.get(name=name)
        if Offer.objects.filter(institution=institution).exists():
            continue
        Offer.objects.create(
            institution=institution,
            channels=channels,
            industries=industries,
            sub_alliances=subs,
            regions=regions,
            min_ticket_krw=low,
            max_ticket_krw=high,
            description=text + DEMO_NOTE,
            updated_by=staff.get(institution.pk),
        )


def _open(proposal: Proposal) -> bool:
    """Open the proposal once; a share that exists (perhaps withdrawn since) is left alone."""
    if ProposalShare.objects.filter(proposal=proposal).exists():
        return False
    # Scored here, in the seed's transaction, so that the fit has eligible channels to read;
    # the scoring queued by the submission finds the same inputs and changes nothing.
    matching_services.score_proposal(proposal_id=proposal.pk)
    services.share_open(proposal_id=proposal.pk, actor=_lead_applicant(proposal), consent=True)
    services.refresh_fits(proposal_ids=[proposal.pk])
    return True


def _interest(proposal: Proposal, user: User, state: str, message: str) -> None:
    if Interest.objects.filter(institution_id=user.institution_id, proposal=proposal).exists():
        return
    interest = services.interest_express(actor=user, proposal_id=proposal.pk, message=message)
    lead = _lead_applicant(proposal)
    if state == "accepted":
        services.interest_accept(interest_id=interest.pk, actor=lead)
    elif state == "declined":
        services.interest_decline(
            interest_id=interest.pk, actor=lead, reason="지금은 자체 자금으로 충분합니다."
        )


def _proposal(firm: str, title: str) -> Proposal | None:
    return (
        Proposal.objects.filter(firm__name=firm, title=title).select_related("created_by").first()
    )


def institutions_demo_ensure(*, password: str, result: SeedResult) -> None:
    """Create what is missing of the institutions' demo world; adds the two accounts to
    `result` for printing."""
    with transaction.atomic():
        users = _ensure_users(password=password, result=result)
        _ensure_offers(users)
        for (firm, title), interests in OPENED:
            proposal = _proposal(firm, title)
            if proposal is None or not _open(proposal):
                continue
            for username, state, message in interests:
                _interest(proposal, users[username], state, message)
        (firm, title), (username, message) = WITHDRAWN
        proposal = _proposal(firm, title)
        if proposal is not None and _open(proposal):
            _interest(proposal, users[username], "open", message)
            services.share_withdraw(proposal_id=proposal.pk, actor=_lead_applicant(proposal))
