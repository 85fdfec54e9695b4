"""The public facts as SPEC §1 states them, each with its source: applied by migration
fund 0011 and, for any row that is missing, after every migrate (which also follows a flush).

S1  산업통상부·금융위원회 보도자료, 2025-12-04 (M.AX 얼라이언스–국민성장펀드 연계 간담회)
S2  금융위원회 등 관계부처, 「2026년 국민성장펀드 운용방안」, 2025-12-16
S3  금융위원회, 국민성장펀드 출범식 및 전략위원회 1차 회의, 2025-12-11
portal-rule  what no document says: this portal's operating rule, set by the fund secretariat
portal-data  the portal's own live figures (submitted proposals, the commitment ledger)

Amounts are whole won. A row that exists (by key) is never overwritten here: after the first
migrate the registry belongs to the people who keep it current (fund.site.fact_services).
"""

import datetime

from portal.core.vocabulary import EOK, JO

S1_DATE = datetime.date(2025, 12, 4)
S2_DATE = datetime.date(2025, 12, 16)
S3_DATE = datetime.date(2025, 12, 11)

SOURCES = [
    {
        "key": "S1",
        "kind": "release",
        "order": 1,
        "issuer_ko": "산업통상부·금융위원회",
        "issuer_en": "Ministry of Trade, Industry and Energy and Financial Services Commission",
        "title_ko": "보도자료 「10조원+α의 M.AX 얼라이언스 투자계획, "
        "국민성장펀드와 연계방안 찾는다」 (M.AX 얼라이언스–국민성장펀드 연계 간담회)",
        "title_en": "Press release on the M.AX Alliance – National Growth Fund linkage meeting "
        "(the alliance's investment plans of KRW 10 trillion+α)",
        "date": S1_DATE,
    },
    {
        "key": "S2",
        "kind": "plan",
        "order": 2,
        "issuer_ko": "금융위원회 등 관계부처",
        "issuer_en": "Financial Services Commission and related ministries",
        "title_ko": "「2026년 국민성장펀드 운용방안」 (산업경쟁력강화 관계장관회의 겸 성장전략TF)",
        "title_en": "2026 operating plan of the National Growth Fund (ministerial meeting on "
        "industrial competitiveness and growth strategy task force)",
        "date": S2_DATE,
    },
    {
        "key": "S3",
        "kind": "release",
        "order": 3,
        "issuer_ko": "금융위원회",
        "issuer_en": "Financial Services Commission",
        "title_ko": "국민성장펀드 출범식 및 전략위원회 1차 회의 (한국산업은행 여의도 본점)",
        "title_en": "Launch of the National Growth Fund and first meeting of its strategy "
        "committee (KDB head office, Yeouido)",
        "date": S3_DATE,
    },
    {
        "key": "portal-rule",
        "kind": "portal_rule",
        "order": 4,
        "issuer_ko": "펀드 사무국(한국산업은행)",
        "issuer_en": "National Growth Fund secretariat (KDB)",
        "title_ko": "포털 운영 기준 — 펀드 사무국 설정",
        "title_en": "Portal operating rule — set by the fund secretariat",
        "date": None,
    },
    {
        "key": "portal-data",
        "kind": "portal_data",
        "order": 5,
        "issuer_ko": "M.AX × 국민성장펀드 매칭 포털",
        "issuer_en": "M.AX × National Growth Fund matching portal",
        "title_ko": "포털 실시간 집계 — 제출된 제안서와 약정 원장 (공식 통계가 아닙니다)",
        "title_en": "Portal live figures — submitted proposals and the commitment ledger "
        "(not official statistics)",
        "date": None,
    },
]


def _fact(key, group, order, source, label_ko, label_en, **values) -> dict:
    row = {
        "key": key,
        "group": group,
        "order": order,
        "source": source,
        "label_ko": label_ko,
        "label_en": label_en,
        "as_of": {"S1": S1_DATE, "S2": S2_DATE, "S3": S3_DATE}.get(source),
    }
    row.update(values)
    if "amount_krw" in row:
        row.setdefault("kind", "amount")
    elif "date" in row:
        row.setdefault("kind", "date")
    elif "number" in row:
        row.setdefault("kind", "count")
    else:
        row.setdefault("kind", "text")
    return row


FIVE_YEARS = {"scope_ko": "5년", "scope_en": "5 years"}
YEAR_2026 = {"scope_ko": "2026년", "scope_en": "2026"}

FACTS = [
    # --- The fund -------------------------------------------------------------------------------
    _fact(
        "fund-size",
        "fund",
        1,
        "S1",
        "국민성장펀드 규모",
        "Size of the National Growth Fund",
        amount_krw=150 * JO,
        qualifier="at_least",
        **FIVE_YEARS,
    ),
    _fact(
        "fund-government-bonds",
        "fund",
        2,
        "S3",
        "정부보증채(첨단전략산업기금)",
        "Government-guaranteed bonds (Advanced Strategic Industries Fund)",
        amount_krw=75 * JO,
        **FIVE_YEARS,
    ),
    _fact(
        "fund-private-money",
        "fund",
        3,
        "S3",
        "민간 자금",
        "Private money",
        amount_krw=75 * JO,
        **FIVE_YEARS,
    ),
    _fact("fund-launch", "fund", 4, "S3", "출범", "Launched", date=S3_DATE),
    _fact(
        "fund-secretariat",
        "fund",
        5,
        "S1",
        "사무국",
        "Secretariat",
        text_ko="국민성장펀드 사무국은 한국산업은행(KDB)에 설치되어 있습니다.",
        text_en="The fund's secretariat is set up at the Korea Development Bank (KDB).",
    ),
    _fact(
        "fund-ai-target",
        "fund",
        6,
        "S1",
        "AI 전환을 포함한 AI 관련 산업 투자 목표",
        "Target for AI-related industry, AI transformation included",
        amount_krw=30 * JO,
        qualifier="at_least",
        text_ko="목표이며, 산업별 배정액이 아닙니다.",
        text_en="A target, not an allocation.",
        **FIVE_YEARS,
    ),
    _fact(
        "fund-industries",
        "fund",
        7,
        "S2",
        "투자 대상 첨단전략산업",
        "Strategic industries it invests in",
        kind="count",
        number=12,
        unit_ko="개 분야",
        unit_en="industries",
        text_ko="반도체, 이차전지, 백신, 디스플레이, 수소, 미래차, 바이오, AI, 방산, 로봇, "
        "문화·콘텐츠, 핵심광물",
        text_en="Semiconductors, secondary batteries, vaccines, displays, hydrogen, future "
        "vehicles, biotechnology, AI, defense, robotics, culture and content, critical minerals",
    ),
    _fact(
        "fund-2026-total",
        "fund",
        8,
        "S2",
        "2026년 운용 규모",
        "Size of the 2026 plan",
        amount_krw=30 * JO,
        qualifier="plus_alpha",
        **YEAR_2026,
    ),
    _fact(
        "fund-2026-regional-share",
        "fund",
        9,
        "S2",
        "2026년 지역 투자 비중",
        "Share for the regions in 2026",
        kind="percent",
        number=40,
        **YEAR_2026,
    ),
    _fact(
        "fund-2026-regional-amount",
        "fund",
        10,
        "S2",
        "2026년 지역 투자",
        "For the regions in 2026",
        amount_krw=12 * JO,
        qualifier="at_least",
        **YEAR_2026,
    ),
    _fact(
        "fund-2026-sme",
        "fund",
        11,
        "S2",
        "2026년 중소·중견기업 지원",
        "For SMEs and mid-sized firms in 2026",
        amount_krw=10 * JO,
        qualifier="at_least",
        **YEAR_2026,
    ),
    _fact(
        "fund-decision",
        "fund",
        12,
        "S2",
        "의사결정 구조",
        "How the fund decides",
        text_ko="투자심의위원회와 기금운용심의회의 2단계로 결정하며, 민간 금융·산업 전문가가 "
        "주도합니다.",
        text_en="Two stages, the investment review committee and then the fund management "
        "council, led by private finance and industry experts.",
    ),
    _fact(
        "fund-firm-size",
        "fund",
        13,
        "portal-rule",
        "기업 규모",
        "Firm size",
        text_ko="포털은 기업 규모로 제안을 제한하지 않습니다.",
        text_en="The portal does not limit proposals by firm size.",
    ),
    _fact(
        "fund-review-criteria",
        "fund",
        14,
        "portal-rule",
        "포털의 심사 항목",
        "The portal's review criteria",
        text_ko="사업성, 재무구조, 기술·시장성, 정책적 효과",
        text_en="Business viability, financial structure, technology and market, policy effect",
    ),
    # --- From a proposal to the fund's decision -------------------------------------------------
    _fact(
        "decision-step-proposal",
        "decision-path",
        1,
        "portal-rule",
        "제안서 작성",
        "Write the proposal",
        text_ko="회원사",
        text_en="Member firm",
    ),
    _fact(
        "decision-step-alliance",
        "decision-path",
        2,
        "portal-rule",
        "얼라이언스 검토",
        "Alliance review",
        text_ko="얼라이언스 사무국(KEIT)",
        text_en="Alliance secretariat (KEIT)",
    ),
    _fact(
        "decision-step-intake",
        "decision-path",
        3,
        "portal-rule",
        "펀드 사무국 접수",
        "Fund secretariat intake",
        text_ko="펀드 사무국(한국산업은행)",
        text_en="Fund secretariat (KDB)",
    ),
    _fact(
        "decision-step-prescreen",
        "decision-path",
        4,
        "portal-rule",
        "사전검토",
        "Pre-screen",
        text_ko="펀드 사무국(한국산업은행)",
        text_en="Fund secretariat (KDB)",
    ),
    _fact(
        "decision-step-committee",
        "decision-path",
        5,
        "S2",
        "투자심의위원회",
        "Investment review committee",
        text_ko="민간 금융·산업 전문가 주도",
        text_en="Led by private finance and industry experts",
    ),
    _fact(
        "decision-step-council",
        "decision-path",
        6,
        "S2",
        "기금운용심의회",
        "Fund management council",
        text_ko="민간 금융·산업 전문가 주도",
        text_en="Led by private finance and industry experts",
    ),
    _fact(
        "decision-step-outcome",
        "decision-path",
        7,
        "S2",
        "결정",
        "Decision",
        text_ko="승인, 조건부 승인, 보류, 반려",
        text_en="Approve, approve with conditions, defer or reject",
    ),
    # --- The four channels: five-year sizes (S1), the 2026 plan (S2), what each funds -----------
    _fact(
        "channel-direct-size",
        "channel-direct",
        1,
        "S1",
        "직접투자 5년 규모",
        "Direct investment, five years",
        amount_krw=15 * JO,
        **FIVE_YEARS,
    ),
    _fact(
        "channel-direct-plan-2026",
        "channel-direct",
        2,
        "S2",
        "직접투자 2026년 계획",
        "Direct investment, 2026 plan",
        amount_krw=3 * JO,
        **YEAR_2026,
    ),
    _fact(
        "channel-direct-funds",
        "channel-direct",
        3,
        "S1",
        "직접투자 자금 용도",
        "Direct investment, use of funds",
        text_ko="제조시설 확충, 원천기술 보유기업 M&A 등을 위한 JV·SPC 직접투자",
        text_en="Direct investment in joint ventures and special purpose companies to expand "
        "manufacturing facilities and to acquire firms that hold core technology",
    ),
    _fact(
        "channel-direct-funds-2026",
        "channel-direct",
        4,
        "S2",
        "직접투자 2026년 운용",
        "Direct investment, in 2026",
        text_ko="중소·중견기업의 증자와 대규모 공장 건설을 위한 SPC에 투자합니다.",
        text_en="Capital increases of SMEs and mid-sized firms, and special purpose companies "
        "for large plants.",
    ),
    _fact(
        "channel-direct-who",
        "channel-direct",
        5,
        "portal-rule",
        "직접투자 신청 대상",
        "Direct investment, who may apply",
        text_ko="첨단전략산업 분야의 기업 (기업 규모 제한 없음)",
        text_en="Firms in the strategic industries (no firm-size limit)",
    ),
    _fact(
        "channel-direct-terms",
        "channel-direct",
        6,
        "portal-rule",
        "직접투자 조건",
        "Direct investment, terms",
        text_ko="지분투자. 신청 금액 이상의 민간 공동투자(약 1:1)를 갖춘 제안을 적격으로 봅니다.",
        text_en="Equity. A proposal qualifies with private co-investment of at least the "
        "requested amount (about 1:1).",
    ),
    _fact(
        "channel-indirect-size",
        "channel-indirect",
        1,
        "S1",
        "간접투자 5년 규모",
        "Indirect investment, five years",
        amount_krw=35 * JO,
        **FIVE_YEARS,
    ),
    _fact(
        "channel-indirect-plan-2026",
        "channel-indirect",
        2,
        "S2",
        "간접투자 2026년 계획",
        "Indirect investment, 2026 plan",
        amount_krw=7 * JO,
        **YEAR_2026,
    ),
    _fact(
        "channel-indirect-funds",
        "channel-indirect",
        3,
        "S1",
        "간접투자 자금 용도",
        "Indirect investment, use of funds",
        text_ko="민관 협력을 통해 국민성장펀드 운용 성과를 국민과 공유합니다.",
        text_en="Through public–private cooperation, the fund's results are shared with the "
        "public.",
    ),
    _fact(
        "channel-indirect-funds-2026",
        "channel-indirect",
        4,
        "S2",
        "간접투자 2026년 운용",
        "Indirect investment, in 2026",
        text_ko="기금과 민간 자금으로 정책성 펀드(블라인드·프로젝트 펀드), 국민참여형 펀드, "
        "초장기기술투자펀드를 조성합니다.",
        text_en="Fund and private money build policy funds (blind and project funds), a "
        "citizen-participation fund and an ultra-long-term technology investment fund.",
    ),
    _fact(
        "channel-indirect-who",
        "channel-indirect",
        5,
        "portal-rule",
        "간접투자 신청 대상",
        "Indirect investment, who may apply",
        text_ko="펀드가 투자하는 첨단전략산업 기업·프로젝트",
        text_en="Strategic-industry firms and projects that the funds invest in",
    ),
    _fact(
        "channel-indirect-terms",
        "channel-indirect",
        6,
        "portal-rule",
        "간접투자 조건",
        "Indirect investment, terms",
        text_ko="펀드 출자를 통한 투자",
        text_en="Investment through commitments to funds",
    ),
    _fact(
        "channel-loan-size",
        "channel-loan",
        1,
        "S1",
        "초저리대출 5년 규모",
        "Ultra-low-rate loans, five years",
        amount_krw=50 * JO,
        **FIVE_YEARS,
    ),
    _fact(
        "channel-loan-plan-2026",
        "channel-loan",
        2,
        "S2",
        "초저리대출 2026년 계획",
        "Ultra-low-rate loans, 2026 plan",
        amount_krw=10 * JO,
        **YEAR_2026,
    ),
    _fact(
        "channel-loan-funds",
        "channel-loan",
        3,
        "S1",
        "초저리대출 자금 용도",
        "Ultra-low-rate loans, use of funds",
        text_ko="설비투자, R&D 투자 등",
        text_en="Capital expenditure, R&D investment and the like",
    ),
    _fact(
        "channel-loan-funds-2026",
        "channel-loan",
        4,
        "S2",
        "초저리대출 2026년 금리",
        "Ultra-low-rate loans, rate in 2026",
        text_ko="2~3% 수준의 금리",
        text_en="Interest of about 2–3%",
    ),
    _fact(
        "channel-loan-who",
        "channel-loan",
        5,
        "portal-rule",
        "초저리대출 신청 대상",
        "Ultra-low-rate loans, who may apply",
        text_ko="상환계획을 갖춘 첨단전략산업 기업",
        text_en="Strategic-industry firms with a repayment plan",
    ),
    _fact(
        "channel-loan-terms",
        "channel-loan",
        6,
        "S1",
        "초저리대출 조건",
        "Ultra-low-rate loans, terms",
        text_ko="국고채 수준 금리",
        text_en="Interest at about the government-bond rate",
    ),
    _fact(
        "channel-infra-size",
        "channel-infra",
        1,
        "S1",
        "인프라 투·융자 5년 규모",
        "Infrastructure investment & loans, five years",
        amount_krw=50 * JO,
        **FIVE_YEARS,
    ),
    _fact(
        "channel-infra-plan-2026",
        "channel-infra",
        2,
        "S2",
        "인프라 투·융자 2026년 계획",
        "Infrastructure investment & loans, 2026 plan",
        amount_krw=10 * JO,
        **YEAR_2026,
    ),
    _fact(
        "channel-infra-funds",
        "channel-infra",
        3,
        "S1",
        "인프라 투·융자 자금 용도",
        "Infrastructure investment & loans, use of funds",
        text_ko="AI 데이터센터, 첨단산업 등에 필요한 전력망, 송전망 등 인프라 구축",
        text_en="Power grids, transmission lines and other infrastructure that AI data centres "
        "and advanced industry need",
    ),
    _fact(
        "channel-infra-funds-2026",
        "channel-infra",
        4,
        "S2",
        "인프라 투·융자 2026년 운용",
        "Infrastructure investment & loans, in 2026",
        text_ko="발전소와 AI 데이터센터도 인프라로 지원합니다.",
        text_en="Power plants and AI data centres are funded as infrastructure as well.",
    ),
    _fact(
        "channel-infra-who",
        "channel-infra",
        5,
        "portal-rule",
        "인프라 투·융자 신청 대상",
        "Infrastructure investment & loans, who may apply",
        text_ko="인프라 사업의 사업시행자·SPC",
        text_en="Sponsors and special purpose companies of infrastructure projects",
    ),
    _fact(
        "channel-infra-terms",
        "channel-infra",
        6,
        "S1",
        "인프라 투·융자 조건",
        "Infrastructure investment & loans, terms",
        text_ko="투자와 융자",
        text_en="Investment and loans",
    ),
    # --- The indirect channel in 2026 (S2) -------------------------------------------------------
    _fact(
        "indirect-2026-fund-money",
        "indirect-2026",
        1,
        "S2",
        "기금",
        "From the fund",
        amount_krw=15 * JO // 10,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-private-money",
        "indirect-2026",
        2,
        "S2",
        "민간",
        "Private money",
        amount_krw=55 * JO // 10,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-policy-funds",
        "indirect-2026",
        3,
        "S2",
        "정책성 펀드",
        "Policy funds",
        amount_krw=56 * JO // 10,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-blind-share",
        "indirect-2026",
        4,
        "S2",
        "정책성 펀드 중 블라인드 펀드",
        "Blind funds, of the policy funds",
        kind="percent",
        number=70,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-project-share",
        "indirect-2026",
        5,
        "S2",
        "정책성 펀드 중 프로젝트 펀드",
        "Project funds, of the policy funds",
        kind="percent",
        number=30,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-citizen-fund",
        "indirect-2026",
        6,
        "S2",
        "국민참여형 펀드",
        "Citizen-participation fund",
        amount_krw=6_000 * EOK,
        **YEAR_2026,
    ),
    _fact(
        "indirect-2026-long-tech-fund",
        "indirect-2026",
        7,
        "S2",
        "초장기기술투자펀드",
        "Ultra-long-term technology investment fund",
        amount_krw=8_000 * EOK,
        **YEAR_2026,
    ),
    # --- Allocation by industry: five years (S3) and 2026 (S2) ----------------------------------
    *[
        _fact(
            f"alloc-5y-{code}",
            "alloc-5y",
            order,
            "S3",
            ko,
            en,
            amount_krw=tenths * JO // 10,
            **FIVE_YEARS,
        )
        for order, (code, ko, en, tenths) in enumerate(
            [
                ("ai", "AI", "AI", 300),
                ("semiconductor", "반도체", "Semiconductors", 209),
                ("mobility", "모빌리티", "Mobility", 154),
                ("bio-vaccine", "바이오·백신", "Bio and vaccines", 116),
                ("battery", "이차전지", "Secondary batteries", 79),
                ("media-content", "미디어·콘텐츠", "Media and content", 51),
            ],
            start=1,
        )
    ],
    *[
        _fact(
            f"alloc-2026-{code}",
            "alloc-2026",
            order,
            "S2",
            ko,
            en,
            amount_krw=tenths * JO // 10,
            **YEAR_2026,
        )
        for order, (code, ko, en, tenths) in enumerate(
            [
                ("ai", "AI", "AI", 60),
                ("semiconductor", "반도체", "Semiconductors", 42),
                ("mobility", "모빌리티", "Mobility", 31),
                ("bio-vaccine", "바이오·백신", "Bio and vaccines", 23),
                ("battery", "이차전지", "Secondary batteries", 16),
                ("media-content", "미디어·콘텐츠", "Media and content", 10),
                ("aerospace-defense", "항공우주·방산", "Aerospace and defense", 7),
            ],
            start=1,
        )
    ],
    # --- The M.AX Alliance (S1) ------------------------------------------------------------------
    _fact(
        "alliance-nature",
        "alliance",
        1,
        "S1",
        "성격",
        "What it is",
        text_ko="제조업의 AI 전환(Manufacturing AI Transformation)을 위한 민·관합동 연합",
        text_en="A public–private alliance for the AI transformation of manufacturing",
    ),
    _fact(
        "alliance-launch",
        "alliance",
        2,
        "S1",
        "출범",
        "Launched",
        date=datetime.date(2025, 9, 1),
        qualifier="month",
    ),
    _fact(
        "alliance-members",
        "alliance",
        3,
        "S1",
        "참여 기업·단체",
        "Members",
        kind="count",
        number=1000,
        qualifier="about",
        unit_ko="개 기업·단체",
        unit_en="firms and organisations",
        text_ko="제조기업, AI 전문기업, 학계, 연구기관",
        text_en="Manufacturers, AI firms, academia and research institutes",
    ),
    _fact(
        "alliance-secretariat",
        "alliance",
        4,
        "S1",
        "간사기관",
        "Secretariat",
        text_ko="한국산업기술기획평가원(KEIT)이 얼라이언스의 간사기관입니다.",
        text_en="The Korea Evaluation Institute of Industrial Technology (KEIT) is the "
        "alliance's secretariat.",
    ),
    _fact(
        "alliance-goal-ax",
        "alliance",
        5,
        "S1",
        "목표",
        "Goal",
        text_ko="'30년 제조 AX 최강국",
        text_en="The strongest nation in manufacturing AX by 2030",
    ),
    _fact(
        "alliance-goal-value-added",
        "alliance",
        6,
        "S1",
        "부가가치 창출 목표",
        "Value-added goal",
        amount_krw=100 * JO,
        qualifier="at_least",
        scope_ko="2030년까지",
        scope_en="by 2030",
    ),
    _fact(
        "alliance-sub-alliances",
        "alliance",
        7,
        "portal-rule",
        "분과",
        "Sub-alliances",
        kind="count",
        number=10,
        unit_ko="개 분과",
        unit_en="sub-alliances",
        text_ko="포털이 제안을 묶어 보는 단위입니다.",
        text_en="The groups in which the portal files proposals.",
    ),
    # --- How the two sides are to cooperate: the ministry's plans in S1 -------------------------
    _fact(
        "cooperation-projects",
        "cooperation",
        1,
        "S1",
        "투자 프로젝트 발굴과 제안",
        "Finding and proposing projects",
        text_ko="산업통상부는 M.AX 얼라이언스 기업 수요를 중심으로 제조 AX 투자 프로젝트를 "
        "지속 발굴하고, 국민성장펀드에 제안할 계획입니다.",
        text_en="The Ministry of Trade, Industry and Energy plans to keep finding good "
        "manufacturing-AX investment projects from the alliance members' demand and to propose "
        "them to the fund.",
    ),
    _fact(
        "cooperation-infrastructure",
        "cooperation",
        2,
        "S1",
        "공동 활용 인프라 사업",
        "Shared infrastructure projects",
        text_ko="산업통상부는 얼라이언스 기업이 함께 활용할 대규모 데이터 생성·활용, 컴퓨팅, "
        "실증 인프라 사업을 새로 기획하고, 국민성장펀드와 연계하는 방안을 모색할 계획입니다.",
        text_en="The ministry plans new infrastructure projects that alliance members can use "
        "together — large-scale data, computing and testbeds — and will look for ways to link "
        "them to the fund.",
    ),
    _fact(
        "cooperation-dialogue",
        "cooperation",
        3,
        "S1",
        "기업과 금융기관의 소통 창구",
        "A window for firms and financial institutions",
        text_ko="산업통상부는 금융위원회와 협의하여 기업과 금융기관이 수시로 대화하고 협력할 "
        "창구를 엽니다. 설명회, 상담회, 워크숍을 수시로 열고, 국민성장펀드 정보를 쉽게 얻을 "
        "수 있는 전용 홈페이지를 개설합니다.",
        text_en="With the Financial Services Commission, the ministry opens a window for firms "
        "and financial institutions to talk and work together: briefings, consultations and "
        "workshops held as needed, and a dedicated website with information on the fund.",
    ),
    _fact(
        "cooperation-secretariats",
        "cooperation",
        4,
        "S1",
        "두 사무국 간 협력채널",
        "A channel between the two secretariats",
        text_ko="얼라이언스 간사기관인 KEIT와 산업은행에 설치된 국민성장펀드 사무국은 "
        "정기적인 협력채널 운영을 추진합니다.",
        text_en="KEIT, the alliance's secretariat, and the fund secretariat at KDB are to run a "
        "regular cooperation channel between the two secretariats.",
    ),
    # --- Who opens and runs this site ------------------------------------------------------------
    _fact(
        "site-opened-by",
        "site",
        1,
        "S1",
        "전용 홈페이지",
        "The dedicated website",
        text_ko="국민성장펀드 전용 홈페이지는 산업통상부가 금융위원회와 협의하여 개설합니다.",
        text_en="The dedicated National Growth Fund website is opened by the Ministry of Trade, "
        "Industry and Energy in consultation with the Financial Services Commission.",
    ),
    _fact(
        "site-run-by",
        "site",
        2,
        "portal-rule",
        "운영",
        "Run by",
        text_ko="이 포털은 얼라이언스 사무국(KEIT)과 펀드 사무국(한국산업은행)이 운영합니다.",
        text_en="This portal is run by the alliance secretariat (KEIT) and the fund secretariat "
        "(KDB).",
    ),
    # --- The linkage meeting of 2025-12-04 (S1) --------------------------------------------------
    _fact(
        "meeting-title",
        "meeting",
        1,
        "S1",
        "간담회",
        "Meeting",
        text_ko="M.AX 얼라이언스–국민성장펀드 연계 간담회",
        text_en="M.AX Alliance – National Growth Fund linkage meeting",
    ),
    _fact("meeting-date", "meeting", 2, "S1", "일자", "Date", date=S1_DATE),
    _fact(
        "meeting-time",
        "meeting",
        3,
        "S1",
        "시간",
        "Time",
        text_ko="15:00~16:30",
        text_en="15:00–16:30",
    ),
    _fact(
        "meeting-place",
        "meeting",
        4,
        "S1",
        "장소",
        "Place",
        text_ko="대한상공회의소 8층 대회의실",
        text_en="Korea Chamber of Commerce and Industry, main conference room (8th floor)",
    ),
    _fact(
        "meeting-hosts",
        "meeting",
        5,
        "S1",
        "공동 개최",
        "Co-hosts",
        text_ko="산업통상부, 금융위원회",
        text_en="Ministry of Trade, Industry and Energy, Financial Services Commission",
    ),
    _fact(
        "meeting-government",
        "meeting",
        6,
        "S1",
        "정부",
        "Government",
        text_ko="산업통상부 장관, 금융위원장 등",
        text_en="The Minister of Trade, Industry and Energy, the Chairman of the Financial "
        "Services Commission and others",
    ),
    _fact(
        "meeting-finance",
        "meeting",
        7,
        "S1",
        "금융업권",
        "Financial institutions",
        text_ko="산업은행, 우리은행, 하나은행, KB국민은행, 신한은행, 미래에셋증권, 메리츠증권",
        text_en="Korea Development Bank, Woori Bank, Hana Bank, KB Kookmin Bank, Shinhan Bank, "
        "Mirae Asset Securities, Meritz Securities",
    ),
    _fact(
        "meeting-industry",
        "meeting",
        8,
        "S1",
        "산업계",
        "Industry",
        text_ko="HD한국조선해양, 삼성전자, 현대자동차, 두산로보틱스, SK AX, CJ대한통운, "
        "이수페타시스, 에코프로비엠, 퓨리오사AI, 마키나락스, 한국산업기술기획평가원",
        text_en="HD Korea Shipbuilding & Offshore Engineering, Samsung Electronics, Hyundai "
        "Motor Company, Doosan Robotics, SK AX, CJ Logistics, Isu Petasys, EcoPro BM, "
        "FuriosaAI, MakinaRocks, KEIT",
    ),
    _fact(
        "meeting-plans",
        "meeting",
        9,
        "S1",
        "발표된 투자계획",
        "Investment plans presented",
        text_ko="현대자동차 AI 모델 개발·로봇 생산, HD한국조선해양 조선해양 AX 전환, "
        "두산로보틱스 휴머노이드 개발, CJ대한통운 지능형 물류센터·물류 AI 로봇, 에코프로비엠 "
        "양극재 AI 팩토리, 퓨리오사AI 차세대 AI 반도체 개발·양산",
        text_en="Hyundai Motor Company: AI models and robot production; HD Korea Shipbuilding & "
        "Offshore Engineering: shipbuilding AX; Doosan Robotics: humanoids; CJ Logistics: "
        "intelligent logistics centres and logistics AI robots; EcoPro BM: a cathode-material "
        "AI factory; FuriosaAI: development and mass production of next-generation AI chips",
    ),
]

# The demand survey's rounds as their source published them (S1: the first round, by 산업부
# through the alliance). The fields are S1's 분야; `sub_alliance` sets each beside the
# portal's sub-alliance of that name on the public alliance page.
SURVEY_ROUNDS = [
    {
        "number": 1,
        "conducted_by_ko": "산업통상부, M.AX 얼라이언스를 통해",
        "conducted_by_en": "the Ministry of Trade, Industry and Energy, through the M.AX Alliance",
        "as_of": S1_DATE,
        "source": "S1",
        "total_krw": 10 * JO,
        "total_qualifier": "at_least",
        "figures": [
            ("휴머노이드", "Humanoids", 66 * JO // 10, "humanoid"),
            ("AI 반도체", "AI semiconductors", 15 * JO // 10, "ai_semiconductor"),
            ("AI 팩토리", "AI factories", 13 * JO // 10, "ai_factory"),
        ],
    },
]


def ensure_public_facts(apps=None, **kwargs) -> None:
    """Create every source, fact and survey round above that is missing; never overwrites.

    Called by migration 0011 with its historical `apps`, and after every migrate (which also
    follows a flush) with the live registry.
    """
    from django.apps import apps as django_apps

    apps = apps or django_apps
    try:
        Source = apps.get_model("fund", "Source")
    except LookupError:  # migrated back to before 0011: there is no registry to fill
        return
    Fact = apps.get_model("fund", "Fact")
    SurveyRound = apps.get_model("fund", "SurveyRound")
    SurveyFigure = apps.get_model("fund", "SurveyFigure")
    SubAlliance = apps.get_model("alliance", "SubAlliance")
    for row in SOURCES:
        Source.objects.get_or_create(
            key=row["key"], defaults={k: v for k, v in row.items() if k != "key"}
        )
    for row in FACTS:
        defaults = {k: v for k, v in row.items() if k not in ("key", "source")}
        Fact.objects.get_or_create(
            key=row["key"], defaults={**defaults, "source_id": row["source"]}
        )
    sub_alliances = dict(SubAlliance.objects.values_list("code", "pk"))
    for row in SURVEY_ROUNDS:
        fields = {k: v for k, v in row.items() if k not in ("number", "source", "figures")}
        survey, created = SurveyRound.objects.get_or_create(
            number=row["number"], defaults={**fields, "source_id": row["source"]}
        )
        if created:
            for order, (ko, en, amount, code) in enumerate(row["figures"], start=1):
                SurveyFigure.objects.create(
                    round=survey,
                    field_ko=ko,
                    field_en=en,
                    amount_krw=amount,
                    sub_alliance_id=sub_alliances.get(code),
                    order=order,
                )
