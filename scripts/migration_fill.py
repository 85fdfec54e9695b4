"""Fill a scratch database the way real use does, with the code of commit 3a25b69.

tests/test_migrations_keep_data.py copies this file into a checkout of 3a25b69 (the last commit
before the restructuring moved modules between packages) and runs it from that checkout's root:

    DJANGO_SETTINGS_MODULE=portal.settings.local DATABASE_URL=postgres://…/<scratch> \\
    CELERY_BROKER_URL= python scripts/migration_fill.py

It calls that commit's modules by their paths there (alliance.services, fund.coordination,
fund.pipeline, …), so it runs only in such a checkout. It looks them up by name (`old`), not
with import statements, so that tools rewriting imports for the restructured tree leave them
as they are. Everything goes through that code's own commands and services, as people and
workers would have used them:

- `seed_demo` (firms, users of every role, the demo proposals, site content), then
  `generate_proposals --count 10000 --seed 7`;
- the matching sweep (`score_missing`) scores every submitted proposal;
- KEIT refers 300 submitted proposals (`proposal_refer_many`, `proposal_refer`); with no broker
  every task runs in-process once its transaction commits (`make run`'s mode), so each referral
  is delivered to the fund and its `received` packet back to KEIT at once. The last 100 are
  referred while the broker refuses messages; the coordination sweep then sends those packets
  in batch messages (`packet_deliver_many`);
- both sides acknowledge some packets; KDB assigns reviewers, moves reviews through the stages,
  schedules committee and council meetings with agendas, comments, saves a view and decides
  (approvals commit amounts from the channels);
- KDB asks three information requests (`proposal_request_info`): KEIT's intake opens the fund
  question rows; KEIT relays two, the applicant answers one (`fund_question_relay`,
  `fund_question_answer`), and the answer packet is delivered back to the fund.

Mail goes to Django's in-memory backend unless EMAIL_BACKEND is set. Prints a JSON summary of
what it did. Takes about 30 s on 2 idle cores.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent

REFER_ON_TIME = 200  # referred and delivered as they are made
REFER_IN_OUTAGE = 100  # referred while the broker refuses messages, delivered by the sweep
ACKNOWLEDGE = 40
TO_PRESCREEN = 120
TO_COMMITTEE = 80
TO_COUNCIL = 50
DECIDE = 40
COMMENTS = 20
AGENDA = 10
EOK = 100_000_000


def old(name: str):
    """`module` or `module:attribute` of the code at 3a25b69."""
    module, _, attribute = name.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per eager task
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()


@contextlib.contextmanager
def broker_refusing():
    """The broker is down: every delivery message is refused when the commit sends it (the
    on_commit hooks are robust, so the referrals stand and their packets stay pending)."""
    deliver_packet = old("fund.coordination_tasks:deliver_packet")
    refused = mock.patch.object(deliver_packet, "apply_async", side_effect=OSError("broker down"))
    hooks = logging.getLogger("django.db.backends.base")
    level = hooks.level
    hooks.setLevel(logging.CRITICAL)  # one logged traceback per refused message otherwise
    try:
        with refused:
            yield
    finally:
        hooks.setLevel(level)


def refer(proposal_ids: list[int], keit) -> int:
    """Refer through the batch service (best matching channel); what it refuses for want of an
    eligible channel is referred one by one with the applicant's or the loan channel."""
    referral = old("fund.coordination")
    proposals = old("alliance.models:Proposal").objects
    packets, refused = referral.proposal_refer_many(
        proposal_ids=proposal_ids, actor=keit, note="얼라이언스 검토 완료 / screened by KEIT"
    )
    preferred = dict(proposals.filter(pk__in=list(refused)).values_list("pk", "preferred_channel"))
    for proposal_id in refused:
        referral.proposal_refer(
            proposal_id=proposal_id, actor=keit, channel=preferred[proposal_id] or "loan"
        )
    return len(packets) + len(refused)


def fill() -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    referral = old("fund.coordination")
    pipeline = old("fund.pipeline")
    alliance_services = old("alliance.services")
    capacity_exceeded = old("fund.services:CapacityExceeded")
    score_missing = old("matching.services:score_missing")
    proposal_status = old("alliance.choices:ProposalStatus")
    review_stage = old("alliance.choices:ReviewStage")
    packet_state = old("fund.models:PacketState")
    packet_kind = old("fund.models:PacketKind")
    packet_direction = old("fund.models:PacketDirection")
    decision_kind = old("fund.models:Decision")
    committee_body = old("fund.models:CommitteeBody")
    users = old("alliance.models:User").objects
    proposals = old("alliance.models:Proposal").objects
    fund_questions = old("alliance.models:FundQuestion").objects
    packets = old("fund.models:CoordinationPacket").objects
    reviews = old("fund.models:FundReview").objects

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit("migration_fill.py runs with CELERY_BROKER_URL empty (tasks in-process).")
    summary: dict = {}
    seconds: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        seconds[phase] = round(now - clock[0], 1)
        clock[0] = now

    call_command("seed_demo", verbosity=0)
    call_command("generate_proposals", "--count", "10000", "--seed", "7", verbosity=0)
    keit = users.get(username="keit")
    kdb = users.get(username="kdb")
    applicant = users.get(username="applicant")
    lap("seed")

    # The matching sweep, as the beat runs it every minute, until everything is scored.
    scored = 0
    while batch := score_missing():
        scored += batch
    summary["scored"] = scored
    lap("score")

    # KEIT: the demo proposals first (the applicant's among them), then generated ones.
    submitted = list(
        proposals.filter(status=proposal_status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)[: REFER_ON_TIME + REFER_IN_OUTAGE]
    )
    summary["referred"] = refer(submitted[:REFER_ON_TIME], keit)
    with broker_refusing():
        summary["referred"] += refer(submitted[REFER_ON_TIME:], keit)
    summary["pending_after_outage"] = packets.filter(state=packet_state.PENDING).count()
    # The coordination sweep once the resend time has passed: batch delivery messages.
    summary["sweep"] = referral.sweep(now=timezone.now() + datetime.timedelta(hours=1))
    lap("refer")

    # Each side acknowledges some of what it received.
    for receiver, direction, kind in (
        (kdb, packet_direction.KEIT_TO_KDB, packet_kind.REFERRAL),
        (keit, packet_direction.KDB_TO_KEIT, packet_kind.RECEIVED),
    ):
        delivered = packets.filter(direction=direction, kind=kind, state=packet_state.DELIVERED)
        for packet_id in delivered.order_by("sequence").values_list("pk", flat=True)[:ACKNOWLEDGE]:
            referral.packet_acknowledge(packet_id=packet_id, actor=receiver)

    # KDB's pipeline on the generated proposals; the applicant's stay at `received` for the
    # questions below.
    in_review = list(
        reviews.filter(stage=review_stage.RECEIVED, proposal__status=proposal_status.IN_REVIEW)
        .exclude(proposal__firm=applicant.firm)
        .order_by("proposal_id")
        .values_list("proposal_id", flat=True)
    )
    for proposal_id in in_review[:TO_PRESCREEN:2]:
        pipeline.review_assign(proposal_id=proposal_id, actor=kdb, reviewer=kdb)
    for count, stage in (
        (TO_PRESCREEN, review_stage.PRESCREEN),
        (TO_COMMITTEE, review_stage.COMMITTEE),
        (TO_COUNCIL, review_stage.COUNCIL),
    ):
        for proposal_id in in_review[:count]:
            pipeline.proposal_advance(proposal_id=proposal_id, actor=kdb, stage=stage)
        if stage == review_stage.COMMITTEE:
            meeting = pipeline.committee_meeting_create(
                actor=kdb,
                body=committee_body.COMMITTEE,
                meets_at=timezone.now() + datetime.timedelta(days=7),
                title="제1차 투자심사위원회",
                location="산업은행 본점",
            )
            pipeline.agenda_add_many(
                meeting_id=meeting.pk,
                proposal_ids=in_review[TO_COUNCIL : TO_COUNCIL + AGENDA],
                actor=kdb,
            )
    council = pipeline.committee_meeting_create(
        actor=kdb,
        body=committee_body.COUNCIL,
        meets_at=timezone.now() + datetime.timedelta(days=14),
        title="제1차 기금운용심의회",
    )
    pipeline.agenda_add_many(meeting_id=council.pk, proposal_ids=in_review[:AGENDA], actor=kdb)
    for proposal_id in in_review[:COMMENTS]:
        pipeline.review_comment_add(
            proposal_id=proposal_id, actor=kdb, body="사업성 검토 의견: 담보 구조 확인 필요"
        )
    pipeline.saved_view_create(
        actor=kdb, name="위원회 대기", page="table", querystring="stage=committee&channel=loan"
    )

    # The council decides: approve, approve with conditions, defer, reject in turn; an
    # approval commits half the request (whole 억원) from the review's channel.
    approving = (decision_kind.APPROVED, decision_kind.APPROVED_WITH_CONDITIONS)
    turns = (*approving, decision_kind.DEFERRED, decision_kind.REJECTED)
    decisions: dict[str, int] = {}
    to_decide = reviews.in_bulk(in_review[:DECIDE], field_name="proposal_id")
    for position, proposal_id in enumerate(in_review[:DECIDE]):
        review = to_decide[proposal_id]
        decision = turns[position % len(turns)]
        fields = {}
        if decision in approving:
            fields = {
                "channel": review.channel or "loan",
                "amount_krw": max(review.requested_krw // 2 // EOK * EOK, EOK),
            }
        if decision == decision_kind.APPROVED_WITH_CONDITIONS:
            fields["conditions"] = "민간 공동투자 확약서 제출"
        try:
            pipeline.proposal_decide(
                proposal_id=proposal_id, actor=kdb, decision=decision, **fields
            )
        except capacity_exceeded:
            decision = decision_kind.DEFERRED
            pipeline.proposal_decide(proposal_id=proposal_id, actor=kdb, decision=decision)
        decisions[str(decision)] = decisions.get(str(decision), 0) + 1
    summary["decisions"] = decisions
    lap("pipeline")

    # The fund's questions on the applicant's proposals: answered, relayed only, asked only.
    asked = list(
        proposals.filter(firm=applicant.firm, status=proposal_status.IN_REVIEW)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not asked:
        sys.exit("none of the applicant's proposals is in the fund's review")
    questions = (
        "설비 투자 일정과 자금 집행 계획을 분기별로 알려 주십시오.",
        "공동투자 기관의 투자 확약 여부를 알려 주십시오.",
        "고용 창출 인원의 산정 근거를 알려 주십시오.",
    )
    for position, question in enumerate(questions):
        pipeline.proposal_request_info(
            proposal_id=asked[position % len(asked)], actor=kdb, question=question
        )
    opened = list(fund_questions.order_by("pk"))
    if len(opened) != len(questions):
        sys.exit(f"expected {len(questions)} fund questions, found {len(opened)}")
    for question in opened[:2]:
        alliance_services.fund_question_relay(
            question_id=question.pk, actor=keit, text=f"[펀드 사무국 질의] {question.question}"
        )
    alliance_services.fund_question_answer(
        question_id=opened[0].pk,
        actor=applicant,
        answer="2026년 1분기 착공, 4분기 설비 반입 예정이며 분기별 집행 계획을 첨부합니다.",
    )
    lap("questions")

    undelivered = packets.exclude(
        state__in=[packet_state.DELIVERED, packet_state.ACKNOWLEDGED]
    ).count()
    if undelivered:
        sys.exit(f"{undelivered} coordination packets were left undelivered")
    summary.update(
        proposals=proposals.count(),
        packets=packets.count(),
        reviews=reviews.count(),
        fund_questions=fund_questions.count(),
        seconds=seconds,
    )
    return summary


def main() -> None:
    setup_django()
    print(json.dumps(fill(), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
