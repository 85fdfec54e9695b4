"""The channels (SPEC §1), applied by a data migration; staff may edit them later.

Sizes are S1's (산업통상부·금융위원회 보도자료, 2025년 12월 4일), the 2026 plans S2's
(「2026년 국민성장펀드 운용방안」). The texts say which document says what, and label what no
document says as the portal's operating rule. The public pages show the same figures and
claims from the fact registry (fund.site.facts), with their sources."""

from portal.core.vocabulary import JO

CHANNELS = [
    {
        "code": "direct",
        "order": 1,
        "size_krw": 15 * JO,
        "name_ko": "직접투자",
        "name_en": "Direct investment",
        "funds_ko": "제조시설 확충, 원천기술 보유기업 M&A 등을 위한 JV·SPC 직접투자 (산업통상부·금융위원회 보도자료, 2025년 12월 4일). 2026년에는 중소·중견기업 증자와 대규모 공장 건설을 위한 SPC에도 투자합니다 (「2026년 국민성장펀드 운용방안」).",
        "funds_en": "Direct investment in joint ventures and special purpose companies to expand manufacturing facilities and to acquire firms that hold core technology (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025). In 2026 it also invests in capital increases of SMEs and mid-sized firms and in SPCs for large plants (2026 operating plan of the National Growth Fund).",
        "who_ko": "첨단전략산업 분야의 기업 (기업 규모 제한 없음: 포털 운영 기준)",
        "who_en": "Firms in the strategic industries (no firm-size limit: portal operating rule)",
        "terms_ko": "지분투자 (신청 금액 이상의 민간 공동투자, 약 1:1: 포털 운영 기준)",
        "terms_en": "Equity (private co-investment of at least the requested amount, about 1:1: portal operating rule)",
        "plans": {2026: 3 * JO},
    },
    {
        "code": "indirect",
        "order": 2,
        "size_krw": 35 * JO,
        "name_ko": "간접투자",
        "name_en": "Indirect investment",
        "funds_ko": "민관 협력을 통해 국민성장펀드 운용 성과를 국민과 공유합니다 (산업통상부·금융위원회 보도자료, 2025년 12월 4일). 2026년에는 기금과 민간 자금으로 정책성 펀드, 국민참여형 펀드, 초장기기술투자펀드를 조성합니다 (「2026년 국민성장펀드 운용방안」).",
        "funds_en": "Through public–private cooperation, the fund's results are shared with the public (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025). In 2026, fund and private money build policy funds, a citizen-participation fund and an ultra-long-term technology investment fund (2026 operating plan of the National Growth Fund).",
        "who_ko": "펀드가 투자하는 첨단전략산업 기업·프로젝트 (포털 운영 기준)",
        "who_en": "Strategic-industry firms and projects that the funds invest in (portal operating rule)",
        "terms_ko": "펀드 출자를 통한 투자 (포털 운영 기준)",
        "terms_en": "Investment through commitments to funds (portal operating rule)",
        "plans": {2026: 7 * JO},
    },
    {
        "code": "loan",
        "order": 3,
        "size_krw": 50 * JO,
        "name_ko": "초저리대출",
        "name_en": "Ultra-low-rate loans",
        "funds_ko": "설비투자, R&D 투자 등 (산업통상부·금융위원회 보도자료, 2025년 12월 4일)",
        "funds_en": "Capital expenditure, R&D investment and the like (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025)",
        "who_ko": "상환계획을 갖춘 첨단전략산업 기업 (포털 운영 기준)",
        "who_en": "Strategic-industry firms with a repayment plan (portal operating rule)",
        "terms_ko": "국고채 수준 금리 (산업통상부·금융위원회 보도자료, 2025년 12월 4일); 2026년 2~3% 수준 (「2026년 국민성장펀드 운용방안」)",
        "terms_en": "Interest at about the government-bond rate (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025); about 2–3% in 2026 (2026 operating plan of the National Growth Fund)",
        "plans": {2026: 10 * JO},
    },
    {
        "code": "infra",
        "order": 4,
        "size_krw": 50 * JO,
        "name_ko": "인프라 투·융자",
        "name_en": "Infrastructure investment & loans",
        "funds_ko": "AI 데이터센터, 첨단산업 등에 필요한 전력망, 송전망 등 인프라 구축 (산업통상부·금융위원회 보도자료, 2025년 12월 4일). 2026년 운용방안은 발전소와 AI 데이터센터도 인프라로 지원합니다 (「2026년 국민성장펀드 운용방안」).",
        "funds_en": "Power grids, transmission lines and other infrastructure that AI data centres and advanced industry need (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025). The 2026 plan also funds power plants and AI data centres as infrastructure (2026 operating plan of the National Growth Fund).",
        "who_ko": "인프라 사업의 사업시행자·SPC (포털 운영 기준)",
        "who_en": "Sponsors and special purpose companies of infrastructure projects (portal operating rule)",
        "terms_ko": "투자와 융자 (산업통상부·금융위원회 보도자료, 2025년 12월 4일)",
        "terms_en": "Investment and loans (Ministry of Trade, Industry and Energy and Financial Services Commission press release, 4 December 2025)",
        "plans": {2026: 10 * JO},
    },
]
