"""`python manage.py generate_proposals --count N [--seed S]`: synthetic load data (SPEC §4).

Every generated proposal is complete and submitted, satisfies the model's check constraints and
has one audit row ("proposal.generate"), so no history page is ever empty. The same seed gives
the same sequence of proposals. The firms come from a pool of synthetic members (BRN prefix 97)
whose attributes depend only on their index, so later runs reuse them.

Speed: rows are built as plain model instances and written with bulk_create in large batches
inside one transaction (all or nothing); no per-row save, no signals.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import random
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from alliance.models import AuditLog, Firm, Industry, Proposal, ProposalPartner, SubAlliance
from alliance.validators import brn_check_digit
from portal.core.vocabulary import (
    EOK,
    ChannelCode,
    FirmStatus,
    FundUse,
    MemberType,
    ProjectType,
    ProposalStatus,
    Region,
    SizeClass,
    Structure,
)

MAX_COUNT = 5_000_000
BRN_PREFIX = "97"
MIN_AMOUNT_KRW = 10 * EOK
MAX_AMOUNT_KRW = 5_000 * EOK
AMOUNT_UNIT_KRW = 1_000_000  # amounts are whole 백만원, as business plans state them
AI_RELATED_SHARE = 0.6
CONSORTIUM_SHARE = 0.08
AUDIT_ACTION = "proposal.generate"

# ---------------------------------------------------------------------------------------------
# Distributions. Weights are relative; regions are half capital area, half elsewhere.

REGION_WEIGHTS = {
    Region.SEOUL: 22,
    Region.GYEONGGI: 22,
    Region.INCHEON: 6,
    Region.GYEONGNAM: 7,
    Region.GYEONGBUK: 6,
    Region.CHUNGNAM: 6,
    Region.ULSAN: 5,
    Region.CHUNGBUK: 5,
    Region.BUSAN: 4,
    Region.DAEGU: 4,
    Region.DAEJEON: 4,
    Region.GWANGJU: 3,
    Region.JEONBUK: 2,
    Region.JEONNAM: 2,
    Region.GANGWON: 2,
    Region.SEJONG: 1,
    Region.JEJU: 1,
}
REGION_KO = {
    "seoul": "서울",
    "busan": "부산",
    "daegu": "대구",
    "incheon": "인천",
    "gwangju": "광주",
    "daejeon": "대전",
    "ulsan": "울산",
    "sejong": "세종",
    "gyeonggi": "경기",
    "gangwon": "강원",
    "chungbuk": "충북",
    "chungnam": "충남",
    "jeonbuk": "전북",
    "jeonnam": "전남",
    "gyeongbuk": "경북",
    "gyeongnam": "경남",
    "jeju": "제주",
}
SIZE_WEIGHTS = {SizeClass.LARGE: 5, SizeClass.MIDDLE: 15, SizeClass.SME: 55, SizeClass.STARTUP: 25}
MEMBER_WEIGHTS = {
    MemberType.MANUFACTURER: 60,
    MemberType.AI_COMPANY: 20,
    MemberType.PARTS_MATERIALS: 15,
    MemberType.INSTITUTE: 3,
    MemberType.UNIVERSITY: 2,
}
SUB_ALLIANCE_WEIGHTS = {
    "ai_factory": 20,
    "ai_manufacturing_service": 12,
    "ai_logistics": 8,
    "autonomous_vehicle": 10,
    "humanoid": 12,
    "autonomous_ship": 6,
    "ai_appliance": 6,
    "ai_defense": 6,
    "ai_bio": 8,
    "ai_semiconductor": 12,
}
# Which 첨단전략산업 a sub-alliance's projects fall under, and what they are about (for titles).
SUB_ALLIANCE_PROFILE = {
    "ai_factory": (
        ("ai", "robot", "secondary_battery", "display", "semiconductor", "critical_minerals"),
        (
            "생산라인 AI 팩토리 전환",
            "AI 품질검사 자동화",
            "스마트공장 고도화",
            "설비 예지보전 AI 도입",
        ),
    ),
    "ai_manufacturing_service": (
        ("ai",),
        (
            "제조 AI 서비스 플랫폼 구축",
            "공정 최적화 AI 솔루션 개발",
            "제조 데이터 분석 서비스 확대",
        ),
    ),
    "ai_logistics": (
        ("ai", "robot"),
        ("지능형 물류센터 구축", "AI 수요예측 기반 유통망 고도화", "물류 자동화 로봇 도입"),
    ),
    "autonomous_vehicle": (
        ("future_mobility", "ai"),
        ("자율주행 부품 생산시설 구축", "자율주행 소프트웨어 개발", "전장 부품 AI 검사 라인 구축"),
    ),
    "humanoid": (
        ("robot",),
        ("휴머노이드 로봇 개발", "로봇 핵심부품 양산 라인 구축", "휴머노이드 현장 실증"),
    ),
    "autonomous_ship": (
        ("future_mobility", "hydrogen"),
        ("자율운항 선박 솔루션 개발", "스마트 조선소 전환", "친환경 선박 기자재 생산시설 증설"),
    ),
    "ai_appliance": (
        ("ai", "display"),
        ("AI 가전 생산라인 전환", "온디바이스 AI 가전 개발", "스마트홈 AI 플랫폼 구축"),
    ),
    "ai_defense": (
        ("defense",),
        ("국방 AI 무인체계 개발", "방산 부품 스마트공장 구축", "AI 기반 정비 시스템 구축"),
    ),
    "ai_bio": (
        ("bio", "vaccine"),
        ("AI 신약개발 플랫폼 구축", "바이오의약품 AI 생산시설 구축", "백신 생산 공정 AI 전환"),
    ),
    "ai_semiconductor": (
        ("semiconductor",),
        ("AI 반도체 설계 및 양산", "반도체 후공정 라인 증설", "AI 칩 검증 인프라 구축"),
    ),
}
PROJECT_TYPE_WEIGHTS = {
    ProjectType.AX_CONVERSION: 30,
    ProjectType.NEW_FACILITY: 22,
    ProjectType.EXPANSION: 18,
    ProjectType.TECHNOLOGY: 18,
    ProjectType.ACQUISITION: 5,
    ProjectType.INFRASTRUCTURE: 7,
}
# Per project type: the fund uses it always has, the ones it may add, its TRL range, and the
# channel an applicant who names one would most likely pick.
PROJECT_TYPE_PROFILE = {
    ProjectType.NEW_FACILITY: (
        [FundUse.FACILITY],
        [FundUse.RND, FundUse.GROWTH_EQUITY],
        (6, 9),
        ChannelCode.LOAN,
    ),
    ProjectType.EXPANSION: ([FundUse.FACILITY], [FundUse.GROWTH_EQUITY], (7, 9), ChannelCode.LOAN),
    ProjectType.AX_CONVERSION: (
        [FundUse.FACILITY],
        [FundUse.RND, FundUse.AI_DATA_CENTER],
        (5, 9),
        ChannelCode.LOAN,
    ),
    ProjectType.TECHNOLOGY: ([FundUse.RND], [FundUse.GROWTH_EQUITY], (3, 7), ChannelCode.INDIRECT),
    ProjectType.ACQUISITION: ([FundUse.MNA], [FundUse.GROWTH_EQUITY], (6, 9), ChannelCode.DIRECT),
    ProjectType.INFRASTRUCTURE: (
        [FundUse.SHARED_INFRA],
        [FundUse.AI_DATA_CENTER, FundUse.POWER_GRID],
        (5, 9),
        ChannelCode.INFRA,
    ),
}
STRUCTURE_WEIGHTS = {Structure.CORPORATE: 75, Structure.JV: 15, Structure.SPC: 10}
NAME_STEMS = (
    ("한빛", "Hanbit"),
    ("대성", "Daesung"),
    ("미래", "Mirae"),
    ("세명", "Semyung"),
    ("동양", "Dongyang"),
    ("태광", "Taekwang"),
    ("신성", "Shinsung"),
    ("한울", "Hanul"),
    ("우진", "Woojin"),
    ("삼양", "Samyang"),
    ("청람", "Cheongram"),
    ("가온", "Gaon"),
    ("누리", "Nuri"),
    ("다온", "Daon"),
    ("백산", "Baeksan"),
    ("서진", "Seojin"),
)
NAME_TAILS = (
    ("정밀", "Precision"),
    ("테크", "Tech"),
    ("산업", "Industries"),
    ("로보틱스", "Robotics"),
    ("에이아이", "AI"),
    ("모빌리티", "Mobility"),
    ("소재", "Materials"),
    ("반도체", "Semiconductor"),
    ("바이오", "Bio"),
    ("물류", "Logistics"),
    ("중공업", "Heavy Industries"),
    ("전자", "Electronics"),
)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _round_unit(value: float) -> int:
    return int(value) // AMOUNT_UNIT_KRW * AMOUNT_UNIT_KRW


def format_krw_ko(won: int) -> str:
    """1,234억 5,600만원 / 5,600만원: how a Korean business plan writes an amount."""
    eok, rest = divmod(won, EOK)
    man = rest // 10_000
    if eok and man:
        return f"{eok:,}억 {man:,}만원"
    if eok:
        return f"{eok:,}억원"
    return f"{man:,}만원"


# ---------------------------------------------------------------------------------------------
# The firm pool


@dataclass(frozen=True)
class SyntheticFirm:
    index: int
    brn: str
    name: str
    name_en: str
    size_class: str
    member_type: str
    region: str
    sub_alliances: tuple[str, ...]


def synthetic_brn(index: int) -> str:
    """A checksum-valid BRN in the synthetic range: 97 + the index in 7 digits + check digit."""
    first_nine = f"{BRN_PREFIX}{index:07d}"
    return first_nine + str(brn_check_digit(first_nine))


def synthetic_firm(index: int) -> SyntheticFirm:
    """The pool's firm number `index`: the same attributes every time, whatever the seed."""
    rng = random.Random(f"max-synthetic-firm-{index}")
    stem, stem_en = rng.choice(NAME_STEMS)
    tail, tail_en = rng.choice(NAME_TAILS)
    subs = list(SUB_ALLIANCE_WEIGHTS)
    first = _weighted(rng, SUB_ALLIANCE_WEIGHTS)
    chosen = [first]
    if rng.random() < 0.35:
        second = rng.choice([s for s in subs if s != first])
        chosen.append(second)
    return SyntheticFirm(
        index=index,
        brn=synthetic_brn(index),
        name=f"{stem}{tail} {index:05d}",
        name_en=f"{stem_en} {tail_en} {index:05d}",
        size_class=_weighted(rng, SIZE_WEIGHTS),
        member_type=_weighted(rng, MEMBER_WEIGHTS),
        region=_weighted(rng, REGION_WEIGHTS),
        sub_alliances=tuple(chosen),
    )


def pool_size_for(count: int) -> int:
    return max(10, count // 50)


def ensure_firm_pool(size: int) -> list[tuple[SyntheticFirm, int]]:
    """The first `size` synthetic firms as (spec, id), creating the missing ones (active)."""
    specs = [synthetic_firm(i) for i in range(1, size + 1)]
    existing = dict(
        Firm.objects.filter(business_registration_number__startswith=BRN_PREFIX).values_list(
            "business_registration_number", "pk"
        )
    )
    missing = [s for s in specs if s.brn not in existing]
    if missing:
        now = timezone.now()
        created = Firm.objects.bulk_create(
            [
                Firm(
                    name=s.name,
                    name_en=s.name_en,
                    business_registration_number=s.brn,
                    size_class=s.size_class,
                    member_type=s.member_type,
                    region=s.region,
                    status=FirmStatus.ACTIVE,
                    verified_at=now,
                )
                for s in missing
            ],
            batch_size=2_000,
        )
        sub_ids = dict(SubAlliance.objects.values_list("code", "pk"))
        through = Firm.sub_alliances.through
        through.objects.bulk_create(
            [
                through(firm_id=firm.pk, suballiance_id=sub_ids[code])
                for spec, firm in zip(missing, created, strict=True)
                for code in spec.sub_alliances
            ],
            batch_size=5_000,
        )
        existing.update({firm.business_registration_number: firm.pk for firm in created})
    return [(s, existing[s.brn]) for s in specs]


# ---------------------------------------------------------------------------------------------
# Proposals


@dataclass(frozen=True)
class SyntheticProposal:
    firm_position: int
    partner_positions: tuple[int, ...]
    fields: dict


def synthetic_proposals(count: int, seed: int, pool: list[SyntheticFirm]):
    """Yield `count` proposals' field values; the same (count, seed, pool) gives the same ones."""
    rng = random.Random(seed)
    log_min, log_max = math.log(MIN_AMOUNT_KRW), math.log(MAX_AMOUNT_KRW)
    regions, region_weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
    types, type_weights = list(PROJECT_TYPE_WEIGHTS), list(PROJECT_TYPE_WEIGHTS.values())
    structures, structure_weights = list(STRUCTURE_WEIGHTS), list(STRUCTURE_WEIGHTS.values())
    for _ in range(count):
        position = rng.randrange(len(pool))
        firm = pool[position]
        sub = rng.choice(firm.sub_alliances)
        industries, phrases = SUB_ALLIANCE_PROFILE[sub]
        industry = rng.choice(industries)
        project_type = rng.choices(types, weights=type_weights)[0]
        base_uses, extra_uses, (trl_low, trl_high), channel = PROJECT_TYPE_PROFILE[project_type]
        uses = list(base_uses)
        for use in extra_uses:
            if rng.random() < 0.3:
                uses.append(use)
        if project_type == ProjectType.INFRASTRUCTURE:
            structure = rng.choice((Structure.SPC, Structure.SPC, Structure.JV))
        else:
            structure = rng.choices(structures, weights=structure_weights)[0]
        if rng.random() < 0.6:
            region = firm.region
        else:
            region = rng.choices(regions, weights=region_weights)[0]
        trl = rng.randint(trl_low, trl_high)
        ai_related = rng.random() < AI_RELATED_SHARE

        requested = max(MIN_AMOUNT_KRW, _round_unit(math.exp(rng.uniform(log_min, log_max))))
        total = _round_unit(requested / rng.uniform(0.3, 0.9))
        coinvest = _round_unit((total - requested) * rng.uniform(0.3, 1.0))
        value_added = _round_unit(total * rng.uniform(0.5, 3.0))
        jobs = max(5, int(total / EOK * rng.uniform(0.05, 0.4)))

        if rng.random() < 0.4:
            preferred = ""
        elif rng.random() < 0.7:
            preferred = channel
        else:
            preferred = rng.choice(ChannelCode.values)

        start = datetime.date(2026 + rng.randrange(2), rng.randint(1, 12), 1)
        months = rng.randint(12, 60)
        end_month = start.month - 1 + months
        end = datetime.date(start.year + end_month // 12, end_month % 12 + 1, 1)
        end -= datetime.timedelta(days=1)

        partners: tuple[int, ...] = ()
        if rng.random() < CONSORTIUM_SHARE:
            picks = {rng.randrange(len(pool)) for _ in range(rng.randint(1, 2))}
            partners = tuple(sorted(picks - {position}))

        phrase = rng.choice(phrases)
        place = REGION_KO[region]
        short_name = firm.name.rsplit(" ", 1)[0]
        title = f"{short_name} {place} {phrase}"
        summary = (
            f"{short_name}이(가) {place}에서 추진하는 '{phrase}' 사업입니다. 총사업비 "
            f"{format_krw_ko(total)} 가운데 {format_krw_ko(requested)}을(를) 국민성장펀드에 "
            f"요청하며, 민간 공동투자 {format_krw_ko(coinvest)}을(를) 확보했습니다. "
            f"기술성숙도는 TRL {trl}단계이고 사업 기간은 {months}개월입니다."
        )
        yield SyntheticProposal(
            firm_position=position,
            partner_positions=partners,
            fields={
                "title": title,
                "summary": summary,
                "sub_alliance": sub,
                "industry": industry,
                "project_type": project_type.value,
                "fund_uses": [u.value for u in uses],
                "structure": structure.value,
                "region": region.value,
                "start_date": start,
                "end_date": end,
                "trl": trl,
                "ai_related": ai_related,
                "total_cost_krw": total,
                "requested_krw": requested,
                "private_coinvest_krw": coinvest,
                "expected_value_added_krw": value_added,
                "expected_jobs": jobs,
                "preferred_channel": preferred,
            },
        )


def parse_count(raw) -> int:
    try:
        count = int(str(raw).strip())
    except (TypeError, ValueError):
        count = None
    if count is None or not 1 <= count <= MAX_COUNT:
        raise CommandError(
            f"--count는 1부터 {MAX_COUNT:,}까지의 정수여야 합니다 (받은 값: {raw!r}) / "
            f"--count must be a whole number from 1 to {MAX_COUNT:,} (got {raw!r})."
        )
    return count


def parse_seed(raw) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise CommandError(
            f"--seed는 정수여야 합니다 (받은 값: {raw!r}) / --seed must be a whole number "
            f"(got {raw!r})."
        ) from None


# ---------------------------------------------------------------------------------------------
# Writers. Both take the same batches and write the same rows. COPY skips Django's per-value
# SQL compilation, which is most of bulk_create's time at this volume: on a 2-core machine,
# 100,000 proposals with their audit rows took 23.5 s with bulk_create and 10.8 s with COPY.


class BatchWriter:
    """Writes batches of synthetic proposals with one audit row each, plus partner links."""

    def __init__(self, *, firm_ids: list[int], sub_ids: dict, industry_ids: dict, seed: int):
        self.firm_ids = firm_ids
        self.sub_ids = sub_ids
        self.industry_ids = industry_ids
        self.seed = seed

    def proposal_values(self, item: SyntheticProposal, now) -> dict:
        """Model field name -> value for one proposal (ids resolved, submitted now)."""
        values = dict(item.fields)
        values["sub_alliance_id"] = self.sub_ids[values.pop("sub_alliance")]
        values["industry_id"] = self.industry_ids[values.pop("industry")]
        values["firm_id"] = self.firm_ids[item.firm_position]
        values["status"] = ProposalStatus.SUBMITTED.value
        values["submitted_at"] = now
        return values

    def audit_values(self, proposal_id: int, firm_id: int) -> dict:
        return {
            "action": AUDIT_ACTION,
            "object_type": "proposal",
            "object_id": str(proposal_id),
            "firm_id": firm_id,
            "proposal_id": proposal_id,
            "to_state": ProposalStatus.SUBMITTED.value,
            "data": {"seed": self.seed},
        }

    def write(self, batch: list[SyntheticProposal]) -> int:
        raise NotImplementedError


class BulkCreateWriter(BatchWriter):
    """Any database: bulk_create in one INSERT per batch (within the backend's parameter cap)."""

    def write(self, batch):
        now = timezone.now()
        proposals = [Proposal(**self.proposal_values(item, now)) for item in batch]
        Proposal.objects.bulk_create(proposals, batch_size=len(proposals))
        AuditLog.objects.bulk_create(
            [AuditLog(**self.audit_values(p.pk, p.firm_id)) for p in proposals],
            batch_size=len(proposals),
        )
        partners = [
            ProposalPartner(proposal_id=p.pk, firm_id=self.firm_ids[position])
            for p, item in zip(proposals, batch, strict=True)
            for position in item.partner_positions
        ]
        if partners:
            ProposalPartner.objects.bulk_create(partners, batch_size=len(partners))
        return len(proposals)


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    else:
        value = str(value)
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class CopyWriter(BatchWriter):
    """PostgreSQL with psycopg2: proposal ids are reserved from the table's sequence, then
    proposals, audit rows and partner links are streamed with COPY FROM STDIN."""

    @staticmethod
    def _copy(cursor, model, rows: list[dict], *, with_pk: bool, now) -> None:
        """COPY `rows` into the model's table; every concrete field the rows leave out gets
        its model default, so a column added to the model later still gets a value."""
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        unknown = set(rows[0]) - {f.attname for f in fields}
        if unknown:
            raise CommandError(f"unknown columns for {model.__name__}: {sorted(unknown)}")
        defaults = {
            f.attname: now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
            for f in fields
        }
        lines = [
            "\t".join(_copy_text(row.get(f.attname, defaults[f.attname])) for f in fields)
            for row in rows
        ]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        cursor.copy_expert(
            f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN",
            io.StringIO("\n".join(lines) + "\n"),
        )

    def write(self, batch):
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Proposal._meta.db_table, len(batch)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            proposals = []
            for pk, item in zip(ids, batch, strict=True):
                values = self.proposal_values(item, now)
                values["id"] = pk
                proposals.append(values)
            self._copy(cursor, Proposal, proposals, with_pk=True, now=now)
            audits = [self.audit_values(p["id"], p["firm_id"]) for p in proposals]
            self._copy(cursor, AuditLog, audits, with_pk=False, now=now)
            partners = [
                {"proposal_id": p["id"], "firm_id": self.firm_ids[position]}
                for p, item in zip(proposals, batch, strict=True)
                for position in item.partner_positions
            ]
            if partners:
                self._copy(cursor, ProposalPartner, partners, with_pk=False, now=now)
        return len(proposals)


def choose_writer(method: str):
    """`auto`: COPY on PostgreSQL with psycopg2, bulk_create elsewhere."""
    can_copy = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            can_copy = hasattr(cursor.cursor, "copy_expert")
    if method == "copy" and not can_copy:
        raise CommandError(
            "COPY는 PostgreSQL(psycopg2)에서만 쓸 수 있습니다 / --method copy needs PostgreSQL "
            "with psycopg2."
        )
    if method == "copy" or (method == "auto" and can_copy):
        return CopyWriter
    return BulkCreateWriter


class Command(BaseCommand):
    help = (
        "부하·성능 시험용 합성 제안(제출 상태)을 만듭니다 / Create synthetic submitted proposals "
        "for load and benchmark work. Same --seed, same proposals."
    )

    def add_arguments(self, parser):
        # Parsed by hand (not type=int) so every bad value gets the same clear message.
        parser.add_argument("--count", required=True, help="how many proposals (1–5,000,000)")
        parser.add_argument("--seed", default="1", help="random seed (default 1)")
        parser.add_argument(
            "--batch-size", default="5000", help="proposals per batch (default 5000)"
        )
        parser.add_argument(
            "--method",
            choices=("auto", "copy", "bulk"),
            default="auto",
            help="auto: COPY on PostgreSQL, bulk_create elsewhere",
        )

    def handle(self, *args, **options):
        count = parse_count(options["count"])
        seed = parse_seed(options["seed"])
        try:
            batch_size = int(options["batch_size"])
        except (TypeError, ValueError):
            batch_size = 0
        if batch_size < 1:
            raise CommandError("--batch-size는 1 이상의 정수 / --batch-size must be at least 1.")
        verbose = options["verbosity"] >= 1

        started = time.perf_counter()
        sub_ids = dict(SubAlliance.objects.values_list("code", "pk"))
        industry_ids = dict(Industry.objects.values_list("code", "pk"))
        if len(sub_ids) < len(SUB_ALLIANCE_WEIGHTS) or len(industry_ids) < 12:
            raise CommandError(
                "분과·산업 기준 데이터가 없습니다. 먼저 migrate를 실행하세요 / Reference data "
                "missing: run `manage.py migrate` first."
            )
        writer_class = choose_writer(options["method"])

        with transaction.atomic():
            pool = ensure_firm_pool(pool_size_for(count))
            writer = writer_class(
                firm_ids=[pk for _spec, pk in pool],
                sub_ids=sub_ids,
                industry_ids=industry_ids,
                seed=seed,
            )
            if verbose:
                self.stdout.write(
                    f"기업 풀 {len(pool):,}개 준비 / firm pool of {len(pool):,} ready "
                    f"({time.perf_counter() - started:.1f} s)"
                )
            written = 0
            batch: list[SyntheticProposal] = []
            for item in synthetic_proposals(count, seed, [spec for spec, _pk in pool]):
                batch.append(item)
                if len(batch) == batch_size:
                    written += writer.write(batch)
                    batch = []
                    if verbose:
                        self.stdout.write(
                            f"  {written:,} / {count:,}  ({time.perf_counter() - started:.1f} s)"
                        )
            if batch:
                written += writer.write(batch)

        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"합성 제안 {written:,}건 생성 ({connection.vendor}, {elapsed:.1f}초) / "
                f"Created {written:,} synthetic proposals on {connection.vendor} in "
                f"{elapsed:.1f} s (seed {seed}, {len(pool):,} firms, {writer_class.__name__})."
            )
        )
