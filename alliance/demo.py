"""The demo world (SPEC §1, §4): named firms, institutions, one user per role and proposals.

The firms are those at the 2025-12-04 meeting (S1); their projects follow the plans S1 reports,
but every amount is invented for the demonstration. The amounts are deliberately not the
surveyed demand: the survey (fund.SurveyRound, S1) is the ministry's published result, and
the live demand that these proposals add up to is shown beside it as the portal's own figure,
marked as demo data on the public pages.

The data are plain tables so a reader can check the numbers by eye; `seed_demo_world` applies
them through the alliance services and is idempotent: a row that exists (by its natural key) is
left as it is, so a second run writes nothing and records no audit row.

Business registration numbers here are generated (prefix 990-81, correct check digit); they are
not the firms' real numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from alliance.firms import services as firms_services
from alliance.models import FinancialInstitution, Firm, Industry, Proposal, SubAlliance, User
from alliance.proposals import services
from alliance.validators import brn_check_digit
from portal.core.vocabulary import EOK, FirmStatus, ProposalStatus, Role

DEFAULT_DEMO_PASSWORD = "demo1234!"  # noqa: S105 - documented demo credential (SPEC §4)
DEMO_EMAIL_DOMAIN = "example.com"


def demo_brn(index: int) -> str:
    """A deterministic, checksum-valid 사업자등록번호 for the demo firm at `index`."""
    first_nine = f"99081{index:04d}"
    return first_nine + str(brn_check_digit(first_nine))


# ---------------------------------------------------------------------------------------------
# Firms. `contact` is the firm's applicant account; `applicant`/`applicant2` are the SPEC's
# demo users, the others let a presenter sign in as any firm (e.g. a consortium partner).


@dataclass(frozen=True)
class DemoFirm:
    index: int
    name: str
    name_en: str
    size_class: str
    member_type: str
    region: str
    sub_alliances: tuple[str, ...]
    contact: str

    @property
    def brn(self) -> str:
        return demo_brn(self.index)


# CJ대한통운 is a logistics firm; the member-type vocabulary has no such type, so it is
# recorded as a manufacturer-side (demand) member.
FIRMS = [
    DemoFirm(
        1,
        "HD한국조선해양",
        "HD Korea Shipbuilding & Offshore Engineering",
        size_class="large",
        member_type="manufacturer",
        region="ulsan",
        sub_alliances=("autonomous_ship", "humanoid"),
        contact="hdksoe",
    ),
    DemoFirm(
        2,
        "삼성전자",
        "Samsung Electronics",
        size_class="large",
        member_type="manufacturer",
        region="gyeonggi",
        sub_alliances=("ai_semiconductor", "humanoid", "ai_appliance"),
        contact="samsung",
    ),
    DemoFirm(
        3,
        "현대자동차",
        "Hyundai Motor Company",
        size_class="large",
        member_type="manufacturer",
        region="seoul",
        sub_alliances=("autonomous_vehicle", "humanoid", "ai_factory"),
        contact="applicant",
    ),
    DemoFirm(
        4,
        "두산로보틱스",
        "Doosan Robotics",
        size_class="middle",
        member_type="manufacturer",
        region="gyeonggi",
        sub_alliances=("humanoid", "ai_factory"),
        contact="applicant2",
    ),
    DemoFirm(
        5,
        "SK AX",
        "SK AX",
        size_class="large",
        member_type="ai_company",
        region="seoul",
        sub_alliances=("ai_manufacturing_service", "ai_factory"),
        contact="skax",
    ),
    DemoFirm(
        6,
        "CJ대한통운",
        "CJ Logistics",
        size_class="large",
        member_type="manufacturer",
        region="seoul",
        sub_alliances=("ai_logistics", "humanoid"),
        contact="cjlogistics",
    ),
    DemoFirm(
        7,
        "이수페타시스",
        "ISU Petasys",
        size_class="middle",
        member_type="parts_materials",
        region="daegu",
        sub_alliances=("ai_semiconductor",),
        contact="isupetasys",
    ),
    DemoFirm(
        8,
        "에코프로비엠",
        "EcoPro BM",
        size_class="large",
        member_type="parts_materials",
        region="chungbuk",
        sub_alliances=("ai_factory",),
        contact="ecoprobm",
    ),
    DemoFirm(
        9,
        "퓨리오사AI",
        "FuriosaAI",
        size_class="startup",
        member_type="ai_company",
        region="seoul",
        sub_alliances=("ai_semiconductor",),
        contact="furiosa",
    ),
    DemoFirm(
        10,
        "마키나락스",
        "MakinaRocks",
        size_class="startup",
        member_type="ai_company",
        region="seoul",
        sub_alliances=("ai_factory", "ai_manufacturing_service", "humanoid"),
        contact="makinarocks",
    ),
]
FIRMS_BY_NAME = {f.name: f for f in FIRMS}

# ---------------------------------------------------------------------------------------------
# Financial institutions (natural key: name).

INSTITUTIONS = [
    # name, English, kind, website
    ("산업은행", "Korea Development Bank", "policy_bank", "https://www.kdb.co.kr"),
    ("우리은행", "Woori Bank", "bank", "https://www.wooribank.com"),
    ("하나은행", "Hana Bank", "bank", "https://www.kebhana.com"),
    ("KB국민은행", "KB Kookmin Bank", "bank", "https://www.kbstar.com"),
    ("신한은행", "Shinhan Bank", "bank", "https://www.shinhan.com"),
    ("미래에셋증권", "Mirae Asset Securities", "securities", "https://securities.miraeasset.com"),
    ("메리츠증권", "Meritz Securities", "securities", "https://home.imeritz.com"),
]

# ---------------------------------------------------------------------------------------------
# Staff accounts (natural key: username). Applicants come from FIRMS (`contact`).


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: str | None
    label_ko: str
    label_en: str
    superuser: bool = False


STAFF = [
    DemoStaff(
        "keit", Role.ALLIANCE_SECRETARIAT, "얼라이언스 사무국 (KEIT)", "Alliance secretariat (KEIT)"
    ),
    DemoStaff("kdb", Role.FUND_SECRETARIAT, "펀드 사무국 (산업은행)", "Fund secretariat (KDB)"),
    DemoStaff("editor", Role.SITE_EDITOR, "사이트 편집자", "Site editor"),
    DemoStaff("admin", None, "시스템 관리자", "Administrator", superuser=True),
]

# ---------------------------------------------------------------------------------------------
# Proposals (natural key: lead firm + title). Amounts are in 억원 so the sums read at a glance:
# 휴머노이드 48,000억, AI 반도체 12,900억, AI 팩토리 11,000억 and 93,900억 in all — invented
# figures, none of them the surveyed demand of its field.


@dataclass(frozen=True)
class DemoProposal:
    firm: str
    title: str
    summary: str
    sub_alliance: str
    industry: str
    project_type: str
    fund_uses: tuple[str, ...]
    structure: str
    region: str
    start: tuple[int, int]
    end: tuple[int, int]
    trl: int
    ai_related: bool
    total_eok: int
    requested_eok: int
    coinvest_eok: int
    value_added_eok: int
    jobs: int
    channel: str = ""  # empty: let the portal suggest
    status: str = ProposalStatus.SUBMITTED
    partners: tuple[tuple[str, str], ...] = field(default=())

    def data(self) -> dict:
        """The proposal's fields in the shape `services.proposal_create` takes."""
        return {
            "title": self.title,
            "summary": self.summary,
            "sub_alliance": SubAlliance.objects.get(code=self.sub_alliance),
            "industry": Industry.objects.get(code=self.industry),
            "project_type": self.project_type,
            "fund_uses": list(self.fund_uses),
            "structure": self.structure,
            "region": self.region,
            "start_date": datetime.date(*self.start, 1),
            "end_date": _month_end(*self.end),
            "trl": self.trl,
            "ai_related": self.ai_related,
            "total_cost_krw": self.total_eok * EOK,
            "requested_krw": self.requested_eok * EOK,
            "private_coinvest_krw": self.coinvest_eok * EOK,
            "expected_value_added_krw": self.value_added_eok * EOK,
            "expected_jobs": self.jobs,
            "preferred_channel": self.channel,
        }


def _month_end(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


P = DemoProposal
PROPOSALS = [
    # --- 휴머노이드: 18,000 + 14,500 + 9,000 + 3,800 + 2,700 = 48,000억 -------------------------
    P(
        firm="현대자동차",
        title="휴머노이드·AI 로봇 양산 거점 구축",
        summary=(
            "피지컬 AI 기반 휴머노이드와 물류·제조 로봇을 대량 생산하는 전용 생산 거점을 울산에 "
            "구축합니다. 자체 로봇 제어 AI 모델을 완성차 공정에 먼저 적용해 수요를 검증하고, "
            "부품 협력사와 함께 국내 로봇 공급망을 확대합니다."
        ),
        sub_alliance="humanoid",
        industry="robot",
        project_type="new_facility",
        fund_uses=("facility", "rnd"),
        structure="corporate",
        region="ulsan",
        start=(2026, 3),
        end=(2030, 12),
        trl=7,
        ai_related=True,
        total_eok=42_000,
        requested_eok=18_000,
        coinvest_eok=12_000,
        value_added_eok=60_000,
        jobs=3_200,
        channel="loan",
    ),
    P(
        firm="삼성전자",
        title="휴머노이드 로봇 핵심부품 및 로봇 AI 개발",
        summary=(
            "휴머노이드용 액추에이터·감속기·센서 모듈과 온디바이스 로봇 AI를 함께 개발하고 "
            "시험 생산 라인을 구축합니다. 가전·반도체 공정에서 축적한 제조 데이터로 로봇 AI를 "
            "학습시켜 사업장 내 실증 후 외부 공급으로 확대합니다."
        ),
        sub_alliance="humanoid",
        industry="robot",
        project_type="technology",
        fund_uses=("rnd", "facility"),
        structure="corporate",
        region="gyeonggi",
        start=(2026, 1),
        end=(2029, 12),
        trl=5,
        ai_related=True,
        total_eok=32_000,
        requested_eok=14_500,
        coinvest_eok=10_000,
        value_added_eok=40_000,
        jobs=2_000,
        channel="loan",
    ),
    P(
        firm="두산로보틱스",
        title="휴머노이드 로봇 개발 및 양산 체계 구축",
        summary=(
            "협동로봇 기술을 바탕으로 제조 현장용 휴머노이드를 개발하고 창원에 양산 라인을 "
            "구축합니다. 마키나락스와 컨소시엄을 구성해 로봇 파운데이션 모델과 작업 학습 "
            "소프트웨어를 공동 개발하며, 양산 법인은 합작 형태로 설립합니다."
        ),
        sub_alliance="humanoid",
        industry="robot",
        project_type="new_facility",
        fund_uses=("facility", "rnd"),
        structure="jv",
        region="gyeongnam",
        start=(2026, 4),
        end=(2030, 6),
        trl=6,
        ai_related=True,
        total_eok=20_000,
        requested_eok=9_000,
        coinvest_eok=6_000,
        value_added_eok=25_000,
        jobs=1_500,
        channel="direct",
        partners=(("마키나락스", "로봇 AI 소프트웨어·파운데이션 모델 개발"),),
    ),
    P(
        firm="HD한국조선해양",
        title="조선소 용접·도장 휴머노이드 로봇 도입",
        summary=(
            "고위험·고숙련 공정인 선체 용접과 도장 작업에 휴머노이드 로봇을 도입합니다. "
            "도크 환경에 맞춘 로봇 작업 AI를 학습시키고 울산 조선소 생산 라인에 단계적으로 "
            "배치합니다."
        ),
        sub_alliance="humanoid",
        industry="robot",
        project_type="ax_conversion",
        fund_uses=("facility", "rnd"),
        structure="corporate",
        region="ulsan",
        start=(2026, 6),
        end=(2029, 12),
        trl=6,
        ai_related=True,
        total_eok=8_000,
        requested_eok=3_800,
        coinvest_eok=2_000,
        value_added_eok=7_000,
        jobs=300,
    ),
    P(
        firm="CJ대한통운",
        title="물류 현장 AI 로봇·휴머노이드 도입",
        summary=(
            "상하차·분류·피킹 공정에 AI 로봇과 휴머노이드를 도입해 작업자 부담을 줄이고 "
            "처리 용량을 높입니다. 물류센터 운영 데이터로 로봇 작업 모델을 고도화합니다."
        ),
        sub_alliance="humanoid",
        industry="robot",
        project_type="ax_conversion",
        fund_uses=("facility",),
        structure="corporate",
        region="gyeonggi",
        start=(2026, 5),
        end=(2028, 12),
        trl=7,
        ai_related=True,
        total_eok=6_500,
        requested_eok=2_700,
        coinvest_eok=2_000,
        value_added_eok=5_500,
        jobs=450,
        channel="loan",
    ),
    # --- AI 반도체: 6,200 + 4,300 + 2,400 = 12,900억 -------------------------------------------
    P(
        firm="삼성전자",
        title="AI 반도체 첨단 패키징 라인 구축",
        summary=(
            "AI 가속기용 고대역폭 메모리와 로직 칩을 하나로 묶는 첨단 패키징 라인을 충남에 "
            "구축합니다. 공정 AI로 수율을 관리해 국내 AI 반도체 기업의 패키징 수요도 함께 "
            "처리합니다."
        ),
        sub_alliance="ai_semiconductor",
        industry="semiconductor",
        project_type="new_facility",
        fund_uses=("facility",),
        structure="corporate",
        region="chungnam",
        start=(2026, 1),
        end=(2028, 12),
        trl=8,
        ai_related=True,
        total_eok=18_000,
        requested_eok=6_200,
        coinvest_eok=8_000,
        value_added_eok=30_000,
        jobs=1_200,
        channel="loan",
    ),
    P(
        firm="퓨리오사AI",
        title="차세대 AI 추론 칩 개발 및 양산",
        summary=(
            "데이터센터용 차세대 AI 추론 칩을 개발하고 양산 체계를 갖춥니다. 전력 대비 성능을 "
            "높인 칩과 소프트웨어 스택을 함께 공급해 국내 AI 서비스 기업의 해외 GPU 의존도를 "
            "낮춥니다."
        ),
        sub_alliance="ai_semiconductor",
        industry="semiconductor",
        project_type="technology",
        fund_uses=("rnd", "growth_equity"),
        structure="corporate",
        region="seoul",
        start=(2026, 1),
        end=(2028, 12),
        trl=6,
        ai_related=True,
        total_eok=8_000,
        requested_eok=4_300,
        coinvest_eok=2_500,
        value_added_eok=12_000,
        jobs=450,
        channel="indirect",
    ),
    P(
        firm="이수페타시스",
        title="AI 가속기용 고다층 기판(MLB) 생산시설 증설",
        summary=(
            "AI 가속기와 고성능 네트워크 장비에 들어가는 고다층 인쇄회로기판 생산시설을 대구에 "
            "증설합니다. 늘어나는 해외 수요에 맞춰 공급 능력을 확대합니다."
        ),
        sub_alliance="ai_semiconductor",
        industry="semiconductor",
        project_type="expansion",
        fund_uses=("facility",),
        structure="corporate",
        region="daegu",
        start=(2026, 2),
        end=(2028, 6),
        trl=9,
        ai_related=False,
        total_eok=4_500,
        requested_eok=2_400,
        coinvest_eok=1_000,
        value_added_eok=6_000,
        jobs=350,
        channel="loan",
    ),
    # --- AI 팩토리: 5,100 + 3,300 + 1,700 + 900 = 11,000억 -------------------------------------
    P(
        firm="에코프로비엠",
        title="양극재 AI 팩토리 구축",
        summary=(
            "하이니켈 양극재 생산 전 공정에 AI 기반 공정 제어와 품질 예측을 적용한 AI 팩토리를 "
            "포항에 구축합니다. 원료 투입부터 소성·검사까지 데이터를 연결해 불량률과 에너지 "
            "사용을 줄입니다. 사업은 특수목적법인을 통해 추진합니다."
        ),
        sub_alliance="ai_factory",
        industry="secondary_battery",
        project_type="new_facility",
        fund_uses=("facility", "rnd"),
        structure="spc",
        region="gyeongbuk",
        start=(2026, 3),
        end=(2029, 6),
        trl=7,
        ai_related=True,
        total_eok=11_000,
        requested_eok=5_100,
        coinvest_eok=4_000,
        value_added_eok=14_000,
        jobs=700,
        channel="direct",
    ),
    P(
        firm="현대자동차",
        title="울산공장 AI 팩토리 전환",
        summary=(
            "울산공장 차체·도장·의장 라인에 AI 기반 품질검사와 설비 예지보전을 도입하고, "
            "생산 계획을 AI로 최적화하는 AI 팩토리로 전환합니다."
        ),
        sub_alliance="ai_factory",
        industry="future_mobility",
        project_type="ax_conversion",
        fund_uses=("facility", "rnd"),
        structure="corporate",
        region="ulsan",
        start=(2026, 1),
        end=(2028, 12),
        trl=8,
        ai_related=True,
        total_eok=7_000,
        requested_eok=3_300,
        coinvest_eok=2_000,
        value_added_eok=9_000,
        jobs=400,
        channel="loan",
    ),
    P(
        firm="두산로보틱스",
        title="협동로봇 기반 AI 팩토리 솔루션 확산",
        summary=(
            "AI 비전과 작업 학습 기능을 갖춘 협동로봇 셀을 표준화하고 생산능력을 증설해 "
            "중소·중견 제조기업의 AI 팩토리 전환에 공급합니다."
        ),
        sub_alliance="ai_factory",
        industry="robot",
        project_type="expansion",
        fund_uses=("facility", "growth_equity"),
        structure="corporate",
        region="gyeonggi",
        start=(2026, 2),
        end=(2028, 12),
        trl=8,
        ai_related=True,
        total_eok=3_500,
        requested_eok=1_700,
        coinvest_eok=1_000,
        value_added_eok=4_000,
        jobs=220,
        channel="indirect",
    ),
    P(
        firm="마키나락스",
        title="산업 AI 플랫폼 기반 중소 제조기업 AI 팩토리 공동 구축",
        summary=(
            "창원 국가산업단지 중소 제조기업이 함께 쓰는 산업 AI 플랫폼과 공정 데이터 "
            "인프라를 구축하고, 설비 이상 탐지와 공정 최적화 AI를 참여 기업 라인에 적용합니다."
        ),
        sub_alliance="ai_factory",
        industry="ai",
        project_type="ax_conversion",
        fund_uses=("shared_infra", "rnd"),
        structure="corporate",
        region="gyeongnam",
        start=(2026, 4),
        end=(2028, 9),
        trl=7,
        ai_related=True,
        total_eok=1_600,
        requested_eok=900,
        coinvest_eok=400,
        value_added_eok=2_500,
        jobs=120,
        channel="indirect",
    ),
    # --- other sub-alliances: 8,000 + 8,000 + 3,500 + 2,500 = 22,000억 -------------------------
    P(
        firm="HD한국조선해양",
        title="조선 AX: 미래형 조선소 전환 및 자율운항선박 실증",
        summary=(
            "설계·생산·물류 데이터를 디지털 트윈으로 연결한 미래형 조선소로 전환하고, "
            "자율운항 솔루션을 탑재한 선박을 실증합니다. SK AX와 함께 조선 공정 AI 에이전트를 "
            "구축합니다."
        ),
        sub_alliance="autonomous_ship",
        industry="future_mobility",
        project_type="ax_conversion",
        fund_uses=("facility", "rnd"),
        structure="corporate",
        region="ulsan",
        start=(2026, 1),
        end=(2030, 12),
        trl=7,
        ai_related=True,
        total_eok=15_000,
        requested_eok=8_000,
        coinvest_eok=5_000,
        value_added_eok=20_000,
        jobs=900,
        channel="loan",
        partners=(("SK AX", "조선 공정 AI 에이전트 구축"),),
    ),
    P(
        firm="현대자동차",
        title="제조·모빌리티 특화 AI 파운데이션 모델 개발",
        summary=(
            "차량 주행 데이터와 공장 운영 데이터를 학습한 제조·모빌리티 특화 AI 파운데이션 "
            "모델을 개발하고, 학습용 AI 컴퓨팅 자원을 확보합니다. 자율주행과 생산 자동화에 "
            "공통으로 활용합니다."
        ),
        sub_alliance="autonomous_vehicle",
        industry="ai",
        project_type="technology",
        fund_uses=("rnd", "ai_data_center"),
        structure="corporate",
        region="seoul",
        start=(2026, 1),
        end=(2029, 12),
        trl=5,
        ai_related=True,
        total_eok=12_000,
        requested_eok=8_000,
        coinvest_eok=3_000,
        value_added_eok=15_000,
        jobs=600,
    ),
    P(
        firm="CJ대한통운",
        title="AI 기반 지능형 물류센터 구축",
        summary=(
            "AI 수요 예측과 자동 분류·보관 설비를 갖춘 지능형 풀필먼트 센터를 충북에 "
            "구축합니다. 화주사와 함께 특수목적법인을 세워 센터를 운영합니다."
        ),
        sub_alliance="ai_logistics",
        industry="ai",
        project_type="new_facility",
        fund_uses=("facility",),
        structure="spc",
        region="chungbuk",
        start=(2026, 3),
        end=(2028, 12),
        trl=8,
        ai_related=True,
        total_eok=6_000,
        requested_eok=3_500,
        coinvest_eok=2_000,
        value_added_eok=5_000,
        jobs=800,
        channel="direct",
    ),
    P(
        firm="SK AX",
        title="제조 AI 에이전트 서비스 플랫폼 구축",
        summary=(
            "석유화학·소재 공장의 운전 데이터를 학습한 제조 AI 에이전트를 개발하고, 울산 "
            "산업단지 입주 기업이 구독형으로 쓰는 제조 AI 서비스 플랫폼을 구축합니다."
        ),
        sub_alliance="ai_manufacturing_service",
        industry="ai",
        project_type="technology",
        fund_uses=("rnd", "ai_data_center"),
        structure="corporate",
        region="ulsan",
        start=(2026, 2),
        end=(2028, 12),
        trl=6,
        ai_related=True,
        total_eok=4_000,
        requested_eok=2_500,
        coinvest_eok=1_200,
        value_added_eok=4_000,
        jobs=250,
        channel="indirect",
    ),
    # --- the demo applicant's draft, left for them to finish and submit ------------------------
    P(
        firm="현대자동차",
        title="SDV 자율주행 데이터 인프라 구축",
        summary=(
            "소프트웨어 중심 자동차(SDV)의 자율주행 학습 데이터를 수집·가공하는 데이터 "
            "인프라를 구축합니다. (작성 중)"
        ),
        sub_alliance="autonomous_vehicle",
        industry="future_mobility",
        project_type="infrastructure",
        fund_uses=("ai_data_center", "shared_infra"),
        structure="spc",
        region="gyeonggi",
        start=(2026, 7),
        end=(2029, 6),
        trl=6,
        ai_related=True,
        total_eok=5_000,
        requested_eok=2_000,
        coinvest_eok=2_000,
        value_added_eok=4_000,
        jobs=150,
        channel="infra",
        status=ProposalStatus.DRAFT,
    ),
]
del P


def requested_by_sub_alliance(*, status: str = ProposalStatus.SUBMITTED) -> dict[str, int]:
    """Sum of the table's requested amounts (won) per sub-alliance, for one status."""
    sums: dict[str, int] = {}
    for p in PROPOSALS:
        if p.status == status:
            sums[p.sub_alliance] = sums.get(p.sub_alliance, 0) + p.requested_eok * EOK
    return sums


# ---------------------------------------------------------------------------------------------
# Applying it


@dataclass
class SeedResult:
    """What one run did: counts of rows it created, and the accounts to print."""

    firms_created: int = 0
    institutions_created: int = 0
    users_created: int = 0
    proposals_created: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, ko, en
    kept: list[str] = field(default_factory=list)  # accounts that existed: left untouched
    firm_contacts: list[tuple[str, str]] = field(default_factory=list)  # username, firm


class DemoSeedError(Exception):
    """The demo world cannot be applied (e.g. the password fails the password rules)."""


def _group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=role)
    return group


def _ensure_user(
    username: str,
    *,
    password: str,
    role: str | None,
    firm: Firm | None = None,
    superuser: bool = False,
    result: SeedResult | None = None,
) -> tuple[User, bool]:
    """Create the demo account if it is missing. An account that exists is left exactly as it
    is (password, role, firm, flags): the demo world never takes over a real account."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            "firm": firm,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if not created:
        if result is not None:
            result.kept.append(username)
        return user, False
    user.set_password(password)
    user.save(update_fields=["password"])
    if role:
        user.groups.set([_group(role)])
    return user, True


def _ensure_firm(
    spec: DemoFirm, *, password: str, keit: User, result: SeedResult
) -> tuple[Firm, bool]:
    """The firm, signed up with its contact as its first applicant if it is missing."""
    firm = Firm.objects.filter(business_registration_number=spec.brn).first()
    created = firm is None
    if created:
        sub_alliances = SubAlliance.objects.filter(code__in=spec.sub_alliances)
        firms_services.firm_sign_up(
            name=spec.name,
            business_registration_number=spec.brn,
            size_class=spec.size_class,
            member_type=spec.member_type,
            region=spec.region,
            username=spec.contact,
            email=f"{spec.contact}@{DEMO_EMAIL_DOMAIN}",
            password=password,
            sub_alliances=sub_alliances,
        )
        firm = Firm.objects.get(business_registration_number=spec.brn)
        firms_services.firm_update_profile(firm=firm, actor=keit, data={"name_en": spec.name_en})
        result.firms_created += 1
        result.users_created += 1
    if firm.status == FirmStatus.PENDING:
        firm = firms_services.firm_verify(firm=firm, actor=keit)
    return firm, created


def _ensure_proposal(spec: DemoProposal, *, firms: dict[str, Firm], contacts: dict[str, User]):
    firm = firms[spec.firm]
    if Proposal.objects.filter(firm=firm, title=spec.title).exists():
        return False
    actor = contacts[spec.firm]
    partners = [firms[name] for name, _role in spec.partners]
    proposal = services.proposal_create(actor=actor, data=spec.data(), partners=partners)
    roles = dict(spec.partners)
    for link in proposal.proposalpartner_set.select_related("firm"):
        link.role = roles[link.firm.name]
        link.save(update_fields=["role"])
    if spec.status == ProposalStatus.SUBMITTED:
        services.proposal_submit(proposal_id=proposal.pk, actor=actor)
    return True


def seed_demo_world(*, password: str = DEFAULT_DEMO_PASSWORD) -> SeedResult:
    """Apply the demo tables; creates what is missing and leaves existing rows as they are.

    Raises DemoSeedError when the password fails the portal's password rules.
    """
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        raise DemoSeedError(" ".join(exc.messages)) from exc

    result = SeedResult()
    with transaction.atomic():
        staff_users = {}
        for spec in STAFF:
            user, created = _ensure_user(
                spec.username,
                password=password,
                role=spec.role,
                superuser=spec.superuser,
                result=result,
            )
            staff_users[spec.username] = user
            result.users_created += created
        keit = staff_users["keit"]

        firms: dict[str, Firm] = {}
        contacts: dict[str, User] = {}
        for spec in FIRMS:
            firm, signed_up = _ensure_firm(spec, password=password, keit=keit, result=result)
            firms[spec.name] = firm
            if signed_up:  # the sign-up created the contact as the firm's applicant
                contacts[spec.name] = User.objects.get(username=spec.contact)
            else:
                contacts[spec.name], created = _ensure_user(
                    spec.contact, password=password, role=Role.APPLICANT, firm=firm, result=result
                )
                result.users_created += created

        for name, name_en, kind, website in INSTITUTIONS:
            _institution, created = FinancialInstitution.objects.update_or_create(
                name=name,
                defaults={"name_en": name_en, "kind": kind, "website": website},
            )
            result.institutions_created += created

        for spec in PROPOSALS:
            result.proposals_created += _ensure_proposal(spec, firms=firms, contacts=contacts)

    for spec in FIRMS:
        if spec.contact in ("applicant", "applicant2"):
            result.accounts.append(
                (spec.contact, f"신청인 · {spec.name}", f"Applicant · {spec.name_en}")
            )
        else:
            result.firm_contacts.append((spec.contact, spec.name))
    for spec in STAFF:
        result.accounts.append((spec.username, spec.label_ko, spec.label_en))
    return result
