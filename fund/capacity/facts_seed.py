"""The channels as announced (SPEC §1), applied by a data migration; staff may edit them later."""

from portal.core.vocabulary import JO

CHANNELS = [
    {
        "code": "direct",
        "order": 1,
        "size_krw": 15 * JO,
        "name_ko": "직접투자",
        "name_en": "Direct investment",
        "funds_ko": "합작법인(JV)·특수목적법인(SPC)을 통한 제조시설 지분투자, 핵심기술 보유 기업의 인수합병(M&A). "
        "민간 자금과 약 1:1로 매칭합니다.",
        "funds_en": "Equity through joint ventures or special purpose companies for manufacturing "
        "facilities, and M&A of firms that hold core technology; matched about 1:1 by "
        "private money.",
        "who_ko": "첨단전략산업 12개 분야의 기업 (기업 규모 제한 없음)",
        "who_en": "Firms in the 12 strategic industries (no firm-size restriction)",
        "terms_ko": "지분투자, 민간 공동투자 약 1:1",
        "terms_en": "Equity; private co-investment about 1:1",
        "plans": {2026: 3 * JO},
    },
    {
        "code": "indirect",
        "order": 2,
        "size_krw": 35 * JO,
        "name_ko": "간접투자",
        "name_en": "Indirect investment",
        "funds_ko": "민간 출자자와 함께 조성하는 정책 모펀드·자펀드를 통한 투자 (민간 자금 약 3.7배). "
        "성과는 국민과 공유합니다.",
        "funds_en": "Policy fund-of-funds with private co-investors (private money about 3.7x the "
        "fund's); results are shared with the public.",
        "who_ko": "자펀드 운용사의 투자 대상이 되는 첨단전략산업 기업·프로젝트",
        "who_en": "Strategic-industry firms and projects invested by the sub-funds",
        "terms_ko": "자펀드 출자, 민간 매칭 약 3.7배",
        "terms_en": "Commitments to sub-funds; private matching about 3.7x",
        "plans": {2026: 7 * JO},
    },
    {
        "code": "loan",
        "order": 3,
        "size_krw": 50 * JO,
        "name_ko": "초저리대출",
        "name_en": "Ultra-low-rate loans",
        "funds_ko": "시설투자(설비)와 연구개발을 위한 장기 저리 대출",
        "funds_en": "Long-term loans for capital expenditure and R&D",
        "who_ko": "상환계획을 갖춘 첨단전략산업 기업",
        "who_en": "Strategic-industry firms with a repayment plan",
        "terms_ko": "국고채 금리 수준의 장기 대출",
        "terms_en": "Long-term loans at about the government-bond rate",
        "plans": {2026: 10 * JO},
    },
    {
        "code": "infra",
        "order": 4,
        "size_krw": 50 * JO,
        "name_ko": "인프라 투·융자",
        "name_en": "Infrastructure investment & loans",
        "funds_ko": "AI 데이터센터, 전력망·송전선로 등 여러 기업이 함께 쓰는 공동 인프라에 대한 투자와 융자",
        "funds_en": "Investment and loans for AI data centres, power grids, transmission lines and "
        "other shared infrastructure",
        "who_ko": "공동 인프라 사업의 사업시행자·SPC",
        "who_en": "Sponsors and SPCs of shared infrastructure projects",
        "terms_ko": "지분투자와 장기 융자의 결합",
        "terms_en": "Equity combined with long-term loans",
        "plans": {2026: 10 * JO},
    },
]
