"""Committee and council meetings: agendas of proposals at the body's stage, printable and XLSX."""

import datetime
import io
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import AuditLog, Proposal
from fund.coordination.models import CoordinationPacket
from fund.review import services as pipeline
from fund.review.models import AgendaItem, CommitteeMeeting
from portal.core.errors import TransitionNotAllowed
from tests.pipeline_support import at_stage, in_review, meeting_of, submitted_proposal
from tests.pipeline_support import signed_in as _client

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _agenda(meeting) -> list[tuple[int, int]]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", "review_id")
    )


def _audit(action: str) -> list[tuple]:
    return list(
        AuditLog.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor__username", "object_type", "proposal_id", "data")
    )


@pytest.fixture
def committee(kdb):
    return meeting_of(
        kdb=kdb, body="committee", title="제1차 투자심의위원회", location="여의도 본점"
    )


# ---------------------------------------------------------------------------------------------
# Services


def test_a_meeting_is_created_with_its_body_time_and_an_audit_row(kdb):
    meets_at = datetime.datetime(2026, 3, 12, 14, 0, tzinfo=SEOUL)

    meeting = pipeline.committee_meeting_create(
        actor=kdb, body="council", meets_at=meets_at, title=" 제2차 기금운용심의회 ", location=""
    )

    row = CommitteeMeeting.objects.values("body", "meets_at", "title", "location").get()
    assert row == {
        "body": "council",
        "meets_at": meets_at,
        "title": "제2차 기금운용심의회",
        "location": "",
    }
    assert _audit("meeting.create") == [
        ("kdb", "committeemeeting", None, {"meets_at": meets_at.isoformat(), "location": ""})
    ]
    assert str(meeting) == "Fund management council 2026-03-12 14:00"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"body": "prescreen"}, {"body": ["Choose the committee or the council."]}),
        (
            {"meets_at": datetime.datetime(2026, 3, 12, 14, 0)},
            {"meets_at": ["Enter the date and time of the meeting."]},
        ),
        ({"title": "가" * 201}, {"title": ["At most 200 characters."]}),
        ({"location": "나" * 201}, {"location": ["At most 200 characters."]}),
    ],
)
def test_a_bad_meeting_is_refused_on_its_field_and_nothing_is_created(kdb, fields, errors):
    data = {
        "body": "committee",
        "meets_at": datetime.datetime(2026, 3, 12, 14, 0, tzinfo=SEOUL),
        **fields,
    }

    with pytest.raises(ValidationError) as exc:
        pipeline.committee_meeting_create(actor=kdb, **data)

    assert exc.value.message_dict == errors
    assert (CommitteeMeeting.objects.count(), AuditLog.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["keit", "applicant", "editor"])
def test_only_fund_staff_create_meetings_or_change_agendas(request, kdb, keit, committee, who):
    proposal = at_stage(keit=keit, kdb=kdb, stage="committee")
    user = request.getfixturevalue(who)
    before = AuditLog.objects.count()

    with pytest.raises(PermissionDenied):
        pipeline.committee_meeting_create(
            actor=user, body="committee", meets_at=timezone.now(), title=""
        )
    with pytest.raises(PermissionDenied):
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=user)

    assert (CommitteeMeeting.objects.count(), AgendaItem.objects.count()) == (1, 0)
    assert AuditLog.objects.count() == before


def test_proposals_at_the_bodys_stage_join_the_agenda_in_order(kdb, keit, committee):
    first = at_stage(keit=keit, kdb=kdb, stage="committee")
    second = at_stage(keit=keit, kdb=kdb, stage="committee")
    packets = CoordinationPacket.objects.count()

    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=second.pk, actor=kdb)
    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=first.pk, actor=kdb)

    assert _agenda(committee) == [(1, second.pk), (2, first.pk)]
    assert _audit("agenda.add") == [
        ("kdb", "committeemeeting", None, {"proposal": second.pk, "position": 1}),
        ("kdb", "committeemeeting", None, {"proposal": first.pk, "position": 2}),
    ]
    # Scheduling sends nothing: the committee_scheduled packet went with the stage move.
    assert CoordinationPacket.objects.count() == packets


@pytest.mark.parametrize(
    ("body", "stage", "message"),
    [
        (
            "committee",
            "prescreen",
            "It is at the Pre-screen stage; only proposals at the Investment review committee "
            "stage can be put on this agenda.",
        ),
        (
            "council",
            "committee",
            "It is at the Investment review committee stage; only proposals at the Fund "
            "management council stage can be put on this agenda.",
        ),
        (
            "committee",
            "council",
            "It is at the Fund management council stage; only proposals at the Investment "
            "review committee stage can be put on this agenda.",
        ),
    ],
)
def test_a_proposal_at_another_stage_is_refused_with_the_reason(kdb, keit, body, stage, message):
    meeting = meeting_of(kdb=kdb, body=body)
    proposal = at_stage(keit=keit, kdb=kdb, stage=stage)
    before = AuditLog.objects.count()

    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.agenda_add(meeting_id=meeting.pk, proposal_id=proposal.pk, actor=kdb)

    assert exc.value.message == message
    assert (AgendaItem.objects.count(), AuditLog.objects.count()) == (0, before)


def test_a_proposal_not_in_review_or_already_on_the_agenda_is_refused(kdb, keit, committee):
    proposal = at_stage(keit=keit, kdb=kdb, stage="committee")
    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
    waiting = submitted_proposal()

    with pytest.raises(TransitionNotAllowed) as again:
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
    with pytest.raises(TransitionNotAllowed) as outside:
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=waiting.pk, actor=kdb)

    assert again.value.message == "It is already on this agenda."
    assert outside.value.message == "This proposal is not under review by the fund."
    assert _agenda(committee) == [(1, proposal.pk)]


def test_adding_many_reports_each_proposal_and_keeps_the_good_ones(kdb, keit, committee):
    good = at_stage(keit=keit, kdb=kdb, stage="committee")
    early = at_stage(keit=keit, kdb=kdb, stage="prescreen")

    outcomes = pipeline.agenda_add_many(
        meeting_id=committee.pk, proposal_ids=[early.pk, good.pk, good.pk], actor=kdb
    )

    assert [(o.proposal_id, o.ok) for o in outcomes] == [(early.pk, False), (good.pk, True)]
    assert outcomes[0].message.startswith("It is at the Pre-screen stage;")
    assert _agenda(committee) == [(1, good.pk)]


def test_the_agenda_is_reordered_and_items_removed_with_positions_kept_dense(kdb, keit, committee):
    a, b, c = (at_stage(keit=keit, kdb=kdb, stage="committee") for _ in range(3))
    for proposal in (a, b, c):
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)

    pipeline.agenda_reorder(meeting_id=committee.pk, actor=kdb, proposal_ids=[c.pk, a.pk, b.pk])
    assert _agenda(committee) == [(1, c.pk), (2, a.pk), (3, b.pk)]

    pipeline.agenda_remove(meeting_id=committee.pk, proposal_id=c.pk, actor=kdb)
    assert _agenda(committee) == [(1, a.pk), (2, b.pk)]
    assert [row[3] for row in _audit("agenda.reorder")] == [
        {"from": [a.pk, b.pk, c.pk], "to": [c.pk, a.pk, b.pk]}
    ]
    assert [row[3] for row in _audit("agenda.remove")] == [{"proposal": c.pk, "position": 1}]


@pytest.mark.parametrize("order", ["missing", "repeated", "foreign"])
def test_a_reorder_that_does_not_name_every_item_once_is_refused(kdb, keit, committee, order):
    a, b = (at_stage(keit=keit, kdb=kdb, stage="committee") for _ in range(2))
    for proposal in (a, b):
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
    ids = {"missing": [b.pk], "repeated": [b.pk, b.pk], "foreign": [b.pk, a.pk + 1000]}[order]
    before = AuditLog.objects.count()

    with pytest.raises(ValidationError) as exc:
        pipeline.agenda_reorder(meeting_id=committee.pk, actor=kdb, proposal_ids=ids)

    assert exc.value.message_dict == {
        "order": ["The agenda changed meanwhile; reload the page and try again."]
    }
    assert _agenda(committee) == [(1, a.pk), (2, b.pk)]
    assert AuditLog.objects.count() == before


def test_a_proposal_keeps_its_agenda_line_when_it_moves_on(kdb, keit, committee):
    proposal = at_stage(keit=keit, kdb=kdb, stage="committee")
    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)

    pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage="council")

    assert _agenda(committee) == [(1, proposal.pk)]


# ---------------------------------------------------------------------------------------------
# Pages


def test_kdb_creates_a_meeting_from_the_page_in_korean_time(client, kdb):
    c = _client(client, kdb)

    response = c.post(
        reverse("pipeline:meeting_create"),
        {
            "body": "committee",
            "meets_at": "2026-03-12T14:00",
            "title": "제1차 투자심의위원회",
            "location": "여의도",
        },
    )

    meeting = CommitteeMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pipeline:meeting_detail", args=[meeting.pk])
    assert meeting.meets_at == datetime.datetime(2026, 3, 12, 14, 0, tzinfo=SEOUL)
    assert (meeting.body, meeting.title, meeting.location, meeting.created_by) == (
        "committee",
        "제1차 투자심의위원회",
        "여의도",
        kdb,
    )


def test_a_bad_meeting_form_answers_400_with_field_errors_and_creates_nothing(client, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:meeting_create"), {"body": "decided", "meets_at": "내일"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"body", "meets_at"}
    assert CommitteeMeeting.objects.count() == 0


def test_the_meeting_list_shows_meetings_newest_first_with_their_size(client, kdb, keit):
    older = meeting_of(kdb=kdb, meets_at=datetime.datetime(2026, 1, 5, 10, 0, tzinfo=SEOUL))
    newer = meeting_of(
        kdb=kdb, body="council", meets_at=datetime.datetime(2026, 2, 5, 10, 0, tzinfo=SEOUL)
    )
    proposal = at_stage(keit=keit, kdb=kdb, stage="committee")
    pipeline.agenda_add(meeting_id=older.pk, proposal_id=proposal.pk, actor=kdb)

    response = _client(client, kdb).get(reverse("pipeline:meetings"))

    assert [(m.pk, m.item_count) for m in response.context["page_obj"]] == [
        (newer.pk, 0),
        (older.pk, 1),
    ]


def test_the_meeting_list_query_count_is_pinned(client, kdb, django_assert_num_queries):
    for _ in range(3):
        meeting_of(kdb=kdb)
    c = _client(client, kdb)
    c.get(reverse("pipeline:meetings"))

    # session, user, groups, count, page.
    with django_assert_num_queries(5):
        c.get(reverse("pipeline:meetings"))


def test_the_meeting_page_lists_only_candidates_at_the_bodys_stage(client, kdb, keit, committee):
    on_agenda = at_stage(keit=keit, kdb=kdb, stage="committee")
    candidate = at_stage(keit=keit, kdb=kdb, stage="committee")
    at_stage(keit=keit, kdb=kdb, stage="prescreen")
    at_stage(keit=keit, kdb=kdb, stage="council")
    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=on_agenda.pk, actor=kdb)

    response = _client(client, kdb).get(reverse("pipeline:meeting_detail", args=[committee.pk]))

    assert [row.review.proposal_id for row in response.context["rows"]] == [on_agenda.pk]
    assert [r.proposal_id for r in response.context["candidates"]] == [candidate.pk]


def test_the_meeting_page_query_count_is_pinned(
    client, kdb, keit, committee, django_assert_num_queries
):
    for _ in range(3):
        proposal = at_stage(keit=keit, kdb=kdb, stage="committee")
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
        at_stage(keit=keit, kdb=kdb, stage="committee")
    c = _client(client, kdb)
    c.get(reverse("pipeline:meeting_detail", args=[committee.pk]))

    # session, user, groups, meeting, agenda items, their scores, candidates.
    with django_assert_num_queries(7):
        c.get(reverse("pipeline:meeting_detail", args=[committee.pk]))


def test_adding_from_the_page_names_each_refused_proposal(client, kdb, keit, committee):
    good = at_stage(keit=keit, kdb=kdb, stage="committee", title="위원회 안건")
    early = at_stage(keit=keit, kdb=kdb, stage="received", title="접수 단계 제안")
    c = _client(client, kdb)

    response = c.post(
        reverse("pipeline:agenda_add", args=[committee.pk]),
        {"proposals": [str(good.pk), str(early.pk), "abc"]},
        follow=True,
    )

    assert _agenda(committee) == [(1, good.pk)]
    assert [str(m) for m in response.context["messages"]] == [
        "1 proposal was put on the agenda.",
        "Not added: 접수 단계 제안 — It is at the Received stage; only proposals at the "
        "Investment review committee stage can be put on this agenda.",
    ]


def test_adding_nothing_from_the_page_says_so(client, kdb, committee):
    response = _client(client, kdb).post(
        reverse("pipeline:agenda_add", args=[committee.pk]), {}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Tick at least one proposal."]
    assert AgendaItem.objects.count() == 0


def test_moving_and_removing_from_the_page(client, kdb, keit, committee):
    a, b = (at_stage(keit=keit, kdb=kdb, stage="committee") for _ in range(2))
    for proposal in (a, b):
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
    c = _client(client, kdb)

    c.post(
        reverse("pipeline:agenda_move", args=[committee.pk]), {"proposal": b.pk, "direction": "up"}
    )
    assert _agenda(committee) == [(1, b.pk), (2, a.pk)]

    # The first item cannot move further up: nothing changes and no audit row is written.
    before = AuditLog.objects.count()
    c.post(
        reverse("pipeline:agenda_move", args=[committee.pk]), {"proposal": b.pk, "direction": "up"}
    )
    assert (_agenda(committee), AuditLog.objects.count()) == ([(1, b.pk), (2, a.pk)], before)

    c.post(reverse("pipeline:agenda_remove", args=[committee.pk]), {"proposal": b.pk})
    assert _agenda(committee) == [(1, a.pk)]


def _agenda_with_two(kdb, keit, committee):
    first = at_stage(
        keit=keit, kdb=kdb, stage="committee", title="AI 팩토리 구축", summary="사출 공정 AI 전환"
    )
    second = at_stage(
        keit=keit,
        kdb=kdb,
        stage="committee",
        requested_krw=1_500_000_000_000,
        total_cost_krw=3_000_000_000_000,
        private_coinvest_krw=1_000_000_000_000,
    )
    pipeline.review_assign(proposal_id=first.pk, actor=kdb, reviewer=kdb)
    for proposal in (first, second):
        pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)
    return first, second


def test_the_printable_agenda_lists_every_line_in_korean_first(client, kdb, keit, committee):
    first, second = _agenda_with_two(kdb, keit, committee)

    with translation.override("ko"):
        response = _client(client, kdb, language="ko").get(
            reverse("pipeline:agenda_print", args=[committee.pk])
        )

    body = response.content.decode()
    rows = response.context["rows"]
    assert response.status_code == 200
    assert [row.review.proposal_id for row in rows] == [first.pk, second.pk]
    # The 1.5조 request fits no channel: no best score, but every channel's score is shown.
    assert [(row.best_channel, row.best_score) for row in rows] == [("indirect", 73), ("", None)]
    assert [score for _code, score, _ok in rows[1].scores] == [52, 68, 58, 60]
    assert rows[0].scores == [
        ("direct", 59, False),
        ("indirect", 73, True),
        ("loan", 61, True),
        ("infra", 62, False),
    ]
    assert (rows[0].review.keit_note, rows[0].summary) == ("추천", "사출 공정 AI 전환")
    assert "500억원" in body and "1조 5,000억원" in body
    assert "AI 팩토리 구축" in body and first.firm.name in body
    assert "/static/css/agenda-print" in body
    assert 'id="krds-header"' not in body


def test_the_printable_agenda_query_count_is_pinned(
    client, kdb, keit, committee, django_assert_num_queries
):
    _agenda_with_two(kdb, keit, committee)
    c = _client(client, kdb)
    url = reverse("pipeline:agenda_print", args=[committee.pk])
    c.get(url)

    # session, user, groups, meeting, agenda items, their scores.
    with django_assert_num_queries(6):
        c.get(url)


def test_the_print_stylesheet_lays_the_agenda_out_for_a4_landscape():
    stylesheet = finders.find("css/agenda-print.css")

    assert "@page { size: A4 landscape;" in Path(stylesheet).read_text(encoding="utf-8")


def _sheet(response):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(response.content)).active


def test_the_agenda_xlsx_holds_one_row_per_line_in_order(client, kdb, keit, committee):
    first, second = _agenda_with_two(kdb, keit, committee)

    response = _client(client, kdb).get(reverse("pipeline:agenda_xlsx", args=[committee.pk]))

    sheet = _sheet(response)
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert response["Content-Disposition"].startswith('attachment; filename="agenda-committee-')
    assert sheet["A1"].value.startswith("Investment review committee · ")
    assert rows[0] == [
        "No.",
        "Lead firm",
        "Title",
        "Channel",
        "Requested (KRW)",
        "Best score",
        "Best channel",
        "Direct investment",
        "Indirect investment",
        "Ultra-low-rate loans",
        "Infrastructure investment & loans",
        "Days in stage",
        "Reviewer",
        "KEIT note",
        "Summary",
    ]
    assert rows[1:] == [
        [1, first.firm.name, "AI 팩토리 구축", "Ultra-low-rate loans", 50_000_000_000, 73,
         "Indirect investment", 59, 73, 61, 62, 0, "kdb", "추천", "사출 공정 AI 전환"],
        [2, second.firm.name, second.title, "Ultra-low-rate loans", 1_500_000_000_000, None,
         None, 52, 68, 58, 60, 0, None, "추천", "AI 기반 스마트 공장 전환 사업"],
    ]  # fmt: skip
    assert sheet.cell(row=4, column=5).number_format == "#,##0"


def test_the_agenda_xlsx_guards_against_formula_injection(client, kdb, keit, committee):
    proposal = at_stage(
        keit=keit,
        kdb=kdb,
        stage="committee",
        title='=HYPERLINK("http://evil.example","열기")',
        summary="@SUM(1+1)",
    )
    pipeline.agenda_add(meeting_id=committee.pk, proposal_id=proposal.pk, actor=kdb)

    sheet = _sheet(_client(client, kdb).get(reverse("pipeline:agenda_xlsx", args=[committee.pk])))

    assert sheet.cell(row=4, column=3).value == '\'=HYPERLINK("http://evil.example","열기")'
    assert sheet.cell(row=4, column=3).data_type == "s"
    assert sheet.cell(row=4, column=15).value == "'@SUM(1+1)"


def test_the_agenda_xlsx_query_count_is_pinned(
    client, kdb, keit, committee, django_assert_num_queries
):
    _agenda_with_two(kdb, keit, committee)
    c = _client(client, kdb)
    url = reverse("pipeline:agenda_xlsx", args=[committee.pk])
    c.get(url)

    with django_assert_num_queries(6):
        c.get(url)


def test_the_pipeline_export_guards_against_formula_injection_too(client, kdb, keit):
    import csv

    in_review(submitted_proposal(title="=1+2"), keit=keit, channel="loan")
    c = _client(client, kdb)

    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(c.get(reverse("pipeline:export")).streaming_content).decode("utf-8-sig")
            )
        )
    )
    sheet = _sheet(c.get(reverse("pipeline:export") + "?format=xlsx"))

    assert csv_rows[1][1] == "'=1+2"
    assert sheet.cell(row=2, column=2).value == "'=1+2"


def test_an_unknown_meeting_is_404(client, kdb):
    c = _client(client, kdb)

    assert c.get(reverse("pipeline:meeting_detail", args=[999999])).status_code == 404
    assert c.get(reverse("pipeline:agenda_print", args=[999999])).status_code == 404
    assert c.post(reverse("pipeline:agenda_add", args=[999999])).status_code == 404
    assert Proposal.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_proposals_added_at_the_same_moment_get_distinct_positions(keit, kdb):
    import threading

    from django.db import connection

    meeting = meeting_of(kdb=kdb)
    proposals = [at_stage(keit=keit, kdb=kdb, stage="committee") for _ in range(4)]
    barrier = threading.Barrier(len(proposals))
    failures = []

    def add(proposal):
        try:
            barrier.wait()
            pipeline.agenda_add(meeting_id=meeting.pk, proposal_id=proposal.pk, actor=kdb)
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    agenda = _agenda(meeting)
    assert failures == []
    assert [position for position, _pk in agenda] == [1, 2, 3, 4]
    assert sorted(pk for _position, pk in agenda) == sorted(p.pk for p in proposals)
