"""The portal's vocabulary (SPEC §5): codes are a contract; labels are translated.

Every code and unit the apps share is defined here once: the alliance's (regions, firm sizes,
proposals), the fund's (channels, stages, decisions) and the units of money.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Units of money: every amount is an integer number of won.
MAN = 10_000  # 1만원
EOK = 100_000_000  # 1억원
JO = 1_000_000_000_000  # 1조원
FUND_SIZE_KRW = 150 * JO  # the fund's five-year size (SPEC §1)


class Region(models.TextChoices):
    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    INCHEON = "incheon", _("Incheon")
    GWANGJU = "gwangju", _("Gwangju")
    DAEJEON = "daejeon", _("Daejeon")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGBUK = "chungbuk", _("Chungbuk")
    CHUNGNAM = "chungnam", _("Chungnam")
    JEONBUK = "jeonbuk", _("Jeonbuk")
    JEONNAM = "jeonnam", _("Jeonnam")
    GYEONGBUK = "gyeongbuk", _("Gyeongbuk")
    GYEONGNAM = "gyeongnam", _("Gyeongnam")
    JEJU = "jeju", _("Jeju")


# The capital area (수도권); a project elsewhere counts toward the regional share.
CAPITAL_AREA = frozenset({Region.SEOUL, Region.INCHEON, Region.GYEONGGI})


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large enterprise")
    MIDDLE = "middle", _("Middle-market enterprise")
    SME = "sme", _("Small and medium enterprise")
    STARTUP = "startup", _("Startup")


# Small and medium firms, startups included (the policy effect's SME share).
SME_SIZES = frozenset({SizeClass.SME, SizeClass.STARTUP})


class MemberType(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    AI_COMPANY = "ai_company", _("AI company")
    PARTS_MATERIALS = "parts_materials", _("Parts and materials firm")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")


class FirmStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class InstitutionKind(models.TextChoices):
    POLICY_BANK = "policy_bank", _("Policy bank")
    BANK = "bank", _("Bank")
    SECURITIES = "securities", _("Securities firm")
    ASSET_MANAGER = "asset_manager", _("Asset manager")
    OTHER = "other", _("Other financial institution")


class Structure(models.TextChoices):
    CORPORATE = "corporate", _("Corporate (on balance sheet)")
    JV = "jv", _("Joint venture")
    SPC = "spc", _("Special purpose company")


class FundUse(models.TextChoices):
    FACILITY = "facility", _("Manufacturing facility")
    MNA = "mna", _("M&A of a core-technology firm")
    RND = "rnd", _("R&D")
    GROWTH_EQUITY = "growth_equity", _("Growth equity")
    AI_DATA_CENTER = "ai_data_center", _("AI data centre")
    POWER_GRID = "power_grid", _("Power grid and transmission")
    SHARED_INFRA = "shared_infra", _("Shared infrastructure")


class ProjectType(models.TextChoices):
    NEW_FACILITY = "new_facility", _("New facility")
    EXPANSION = "expansion", _("Capacity expansion")
    AX_CONVERSION = "ax_conversion", _("AI transformation of existing lines")
    TECHNOLOGY = "technology", _("Technology development")
    ACQUISITION = "acquisition", _("Acquisition")
    INFRASTRUCTURE = "infrastructure", _("Shared infrastructure")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    REFERRED = "referred", _("Referred to the fund")
    IN_REVIEW = "in_review", _("In review")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewStage(models.TextChoices):
    RECEIVED = "received", _("Received")
    PRESCREEN = "prescreen", _("Pre-screen")
    COMMITTEE = "committee", _("Investment review committee")
    COUNCIL = "council", _("Fund management council")
    DECIDED = "decided", _("Decided")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approve")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approve with conditions")
    DEFERRED = "deferred", _("Defer")
    REJECTED = "rejected", _("Reject")


APPROVING_DECISIONS = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)


class DocumentKind(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """Each role is a Django group of the same name (SPEC §2)."""

    APPLICANT = "applicant", _("Applicant")
    ALLIANCE_SECRETARIAT = "alliance_secretariat", _("Alliance secretariat (KEIT)")
    FUND_SECRETARIAT = "fund_secretariat", _("Fund secretariat (KDB)")
    SITE_EDITOR = "site_editor", _("Site editor")
    INSTITUTION = "institution", _("Financial institution")
    MINISTRY = "ministry", _("Ministry")


class ChannelCode(models.TextChoices):
    DIRECT = "direct", _("Direct investment")
    INDIRECT = "indirect", _("Indirect investment")
    LOAN = "loan", _("Ultra-low-rate loans")
    INFRA = "infra", _("Infrastructure investment & loans")


# The twelve 첨단전략산업 (SPEC §1, §5): code, 한국어, English.
INDUSTRIES = (
    ("semiconductor", "반도체", "Semiconductors"),
    ("secondary_battery", "이차전지", "Secondary batteries"),
    ("vaccine", "백신", "Vaccines"),
    ("display", "디스플레이", "Displays"),
    ("hydrogen", "수소", "Hydrogen"),
    ("future_mobility", "미래형 이동수단", "Future mobility"),
    ("bio", "바이오", "Biotechnology"),
    ("ai", "AI", "Artificial intelligence"),
    ("defense", "방산", "Defense"),
    ("robot", "로봇", "Robotics"),
    ("culture_content", "문화·콘텐츠", "Culture & content"),
    ("critical_minerals", "핵심광물", "Critical minerals"),
)
INDUSTRY_CODES = tuple(code for code, _ko, _en in INDUSTRIES)
