"""Pages of the screening inbox (KEIT), the coordination queue (both) and the pipeline (KDB)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import Proposal
from fund.capacity.models import Commitment
from fund.capacity.services import commitment_create
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket
from fund.review import services as pipeline
from fund.review.models import FundReview
from tests.factories import ProposalFactory
from tests.pipeline_support import in_review, submitted_proposal, walk_to
from tests.pipeline_support import signed_in as _client
from tests.test_layout import elements

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


KEIT_PAGES = ["pipeline:screening"]
KDB_PAGES = ["pipeline:board", "pipeline:table", "pipeline:export"]
QUEUE_PAGES = ["pipeline:packets"]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [(n, "keit") for n in KEIT_PAGES] + [(n, "kdb") for n in KDB_PAGES],
)
@pytest.mark.parametrize("who", ["keit", "kdb", "applicant", "editor"])
def test_each_page_is_for_its_role_only(request, client, name, allowed, who):
    response = _client(client, request.getfixturevalue(who)).get(reverse(name))

    assert response.status_code == (200 if who == allowed else 404)


@pytest.mark.parametrize("who", ["applicant", "editor"])
def test_the_queue_is_hidden_from_everyone_but_the_secretariats(request, client, keit, who):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    c = _client(client, request.getfixturevalue(who))

    assert c.get(reverse("pipeline:packets")).status_code == 404
    assert c.get(reverse("pipeline:packet_detail", args=[packet.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("pipeline:screening"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_screening_inbox_lists_submitted_proposals_with_best_channel(client, keit):
    waiting = submitted_proposal(title="대기 제안")
    ProposalFactory(title="작성 중 제안")

    response = _client(client, keit).get(reverse("pipeline:screening"))

    assert [p.pk for p in response.context["page_obj"]] == [waiting.pk]
    proposal = response.context["page_obj"][0]
    assert (proposal.best_channel, proposal.best_score) == ("indirect", 73)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("best_channel=indirect", 1),
        ("best_channel=direct", 0),
        ("min_score=73", 1),
        ("min_score=74", 0),
        ("region=gyeongnam", 1),
        ("region=seoul", 0),
        ("size_class=sme", 1),
        ("size_class=large", 0),
        ("sub_alliance=ai_factory", 1),
        ("industry=robot", 1),
        ("industry=ai", 0),
        ("min_score=abc", 1),  # an invalid filter is dropped, not a 500
    ],
)
def test_screening_filters(client, keit, query, expected):
    submitted_proposal()

    response = _client(client, keit).get(reverse("pipeline:screening") + "?" + query)

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == expected


def test_the_screening_inbox_query_count_is_pinned(client, keit, django_assert_num_queries):
    for _ in range(3):
        submitted_proposal()
    c = _client(client, keit)
    c.get(reverse("pipeline:screening"))

    # session, user, groups, active rule set, sub-alliances, industries, count, page, the
    # active routing policy (none: the page's routing needs nothing more).
    with django_assert_num_queries(9):
        c.get(reverse("pipeline:screening"))


def test_one_screening_page_shows_the_proposal_and_offers_refer_and_request_info(client, keit):
    proposal = submitted_proposal(title="스크리닝 대상")
    page = reverse("pipeline:screening_detail", args=[proposal.pk])

    response = _client(client, keit).get(page)

    html = response.content.decode()
    # the proposal's fields are under its heading (no empty "Proposal" section)
    fields = [dd["text"] for dd in elements(html, "dd", data_field="title")]
    assert fields == ["스크리닝 대상"]
    assert [f["attrs"]["action"] for f in elements(html, "form", data_action="refer")] == [
        reverse("pipeline:screening_refer", args=[proposal.pk])
    ]
    ask = reverse("alliance:proposal_request_info", args=[proposal.pk])
    request_info = elements(html, "form", action=ask)
    assert len(request_info) == 1
    form = re.search(r"<form[^>]*portal-request-info.*?</form>", html, re.S).group(0)
    assert f'name="next" value="{page}"' in form


def test_a_question_asked_on_the_screening_page_returns_to_it(client, keit):
    proposal = submitted_proposal()
    page = reverse("pipeline:screening_detail", args=[proposal.pk])

    response = _client(client, keit).post(
        reverse("alliance:proposal_request_info", args=[proposal.pk]),
        {"question": "재무제표를 보완해 주세요.", "next": page},
    )

    assert (response.status_code, response.url) == (302, page)
    assert Proposal.objects.get(pk=proposal.pk).status == "info_requested"


def test_a_foreign_next_is_ignored_after_a_question(client, keit):
    proposal = submitted_proposal()

    response = _client(client, keit).post(
        reverse("alliance:proposal_request_info", args=[proposal.pk]),
        {"question": "보완해 주세요.", "next": "https://evil.example/"},
    )

    assert response.url == reverse("alliance:proposal_detail", args=[proposal.pk])


def test_both_tabs_are_one_page_with_the_same_rows(client, keit):
    proposal = submitted_proposal(title="탭 제안")
    c = _client(client, keit)

    for name, tab in (("pipeline:screening", "waiting"), ("alliance:secretariat_proposals", "all")):
        response = c.get(reverse(name))
        html = response.content.decode()
        assert response.templates[0].name == "fund/coordination/proposal_list.html"
        assert response.context["tab"] == tab
        tabs = [a for a in elements(html, "a") if "data-tab" in a["attrs"]]
        current = [a["attrs"]["data-tab"] for a in tabs if a["attrs"].get("aria-current") == "page"]
        assert current == [tab]
        row_links = [a["attrs"]["href"] for a in elements(html, "a") if a["text"] == "탭 제안"]
        assert row_links == [reverse("pipeline:screening_detail", args=[proposal.pk])]


def test_keit_refers_from_the_page(client, keit):
    proposal = submitted_proposal()

    response = _client(client, keit).post(
        reverse("pipeline:screening_refer", args=[proposal.pk]),
        {"note": "유망", "channel": "loan"},
    )

    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == "referred"
    packet = CoordinationPacket.objects.get()
    assert (packet.payload["note"], packet.payload["proposed_channel"]) == ("유망", "loan")


def test_a_bad_channel_on_the_page_is_refused_and_nothing_changes(client, keit):
    proposal = submitted_proposal()

    response = _client(client, keit).post(
        reverse("pipeline:screening_refer", args=[proposal.pk]), {"channel": "bank"}
    )

    assert response.status_code == 400
    assert "channel" in response.context["refer_form"].errors
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    assert CoordinationPacket.objects.count() == 0


def test_bulk_referral_from_the_inbox(client, keit, other_draft):
    ready = [submitted_proposal(), submitted_proposal()]

    response = _client(client, keit).post(
        reverse("pipeline:screening_refer_bulk"),
        {"proposals": [str(ready[0].pk), str(ready[1].pk), str(other_draft.pk), "x"]},
    )

    assert response.status_code == 302
    assert sorted(CoordinationPacket.objects.values_list("proposal_id", flat=True)) == sorted(
        p.pk for p in ready
    )
    assert Proposal.objects.get(pk=other_draft.pk).status == "draft"


def test_both_sides_see_the_queue_and_a_packets_content(client, keit, kdb):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)

    for user in (keit, kdb):
        c = _client(client, user)
        listing = c.get(reverse("pipeline:packets"))
        detail = c.get(reverse("pipeline:packet_detail", args=[packet.pk]))
        assert [p.pk for p in listing.context["packets"]] == [packet.pk]
        assert detail.status_code == 200
        assert '"proposed_channel": "indirect"' in detail.context["payload_json"]
        assert "&quot;proposed_channel&quot;" in detail.content.decode()


def test_queue_filters_and_unknown_packets(client, keit):
    coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    c = _client(client, keit)

    assert len(c.get(reverse("pipeline:packets") + "?state=pending").context["packets"]) == 1
    assert len(c.get(reverse("pipeline:packets") + "?state=stuck").context["packets"]) == 0
    assert len(c.get(reverse("pipeline:packets") + "?before=zz").context["packets"]) == 1
    unknown = "00000000-0000-0000-0000-000000000000"
    assert c.get(reverse("pipeline:packet_detail", args=[unknown])).status_code == 404
    assert c.post(reverse("pipeline:packet_ack", args=[unknown])).status_code == 404


def test_the_queue_query_count_is_pinned(client, keit, django_assert_num_queries):
    for _ in range(3):
        coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    c = _client(client, keit)
    c.get(reverse("pipeline:packets"))

    # session, user, groups, page, state counts.
    with django_assert_num_queries(5):
        c.get(reverse("pipeline:packets"))


def test_the_sender_cannot_ack_from_the_page(client, keit):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    response = _client(client, keit).post(reverse("pipeline:packet_ack", args=[packet.pk]))

    assert response.status_code == 302
    assert CoordinationPacket.objects.get(pk=packet.pk).state == "delivered"


def test_kdb_acks_from_the_page(client, keit, kdb):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    _client(client, kdb).post(reverse("pipeline:packet_ack", args=[packet.pk]))

    assert CoordinationPacket.objects.get(pk=packet.pk).state == "acknowledged"


def test_the_board_shows_columns_by_stage(client, keit, kdb):
    first = in_review(submitted_proposal(), keit=keit)
    second = in_review(submitted_proposal(), keit=keit)
    walk_to(second, kdb=kdb, stage="committee")

    response = _client(client, kdb).get(reverse("pipeline:board"))

    columns = {c.stage: [r.proposal_id for r in c.cards] for c in response.context["columns"]}
    assert columns == {
        "received": [first.pk],
        "prescreen": [],
        "committee": [second.pk],
        "council": [],
        "decided": [],
    }


def test_the_board_query_count_is_pinned(client, keit, kdb, django_assert_num_queries):
    for _ in range(3):
        in_review(submitted_proposal(), keit=keit)
    c = _client(client, kdb)
    c.get(reverse("pipeline:board"))

    # session, user, groups, sub-alliances, industries, stage counts, saved views, the five
    # columns' cards (one UNION ALL).
    with django_assert_num_queries(8):
        c.get(reverse("pipeline:board"))


def test_the_table_pages_by_keyset_without_repeats(client, keit, kdb, monkeypatch):
    from fund.review import selectors as pipeline_selectors

    monkeypatch.setattr(pipeline_selectors, "PAGE_SIZE", 2)
    reviews = [in_review(submitted_proposal(), keit=keit) for _ in range(5)]
    c = _client(client, kdb)

    for sort in ("score", "age"):
        seen, after = [], ""
        while True:
            response = c.get(reverse("pipeline:table"), {"sort": sort, "after": after})
            seen += [r.proposal_id for r in response.context["rows"]]
            after = response.context["next_cursor"]
            if not after:
                break
        assert sorted(seen) == sorted(p.pk for p in reviews)
        assert len(seen) == 5


def test_the_table_query_count_is_pinned(client, keit, kdb, django_assert_num_queries):
    for _ in range(3):
        in_review(submitted_proposal(), keit=keit)
    c = _client(client, kdb)
    c.get(reverse("pipeline:table"))

    # session, user, groups, sub-alliances, industries, page.
    with django_assert_num_queries(8):
        c.get(reverse("pipeline:table"))


def test_the_csv_export_holds_every_filtered_row(client, keit, kdb):
    proposal = in_review(submitted_proposal(title="수출 제안"), keit=keit, channel="loan")
    in_review(submitted_proposal(), keit=keit, channel="indirect")

    response = _client(client, kdb).get(reverse("pipeline:export") + "?channel=loan")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["Proposal", "Title", "Lead firm", "Channel", "Score"]
    assert [row[:5] for row in rows[1:]] == [
        [str(proposal.pk), "수출 제안", proposal.firm.name, "loan", "61"]
    ]


def test_the_xlsx_export_opens(client, keit, kdb):
    from openpyxl import load_workbook

    in_review(submitted_proposal(), keit=keit, channel="loan")

    response = _client(client, kdb).get(reverse("pipeline:export") + "?format=xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=4).value == "loan"


def test_an_xlsx_export_past_its_limit_is_refused_with_the_way_out(client, keit, kdb, settings):
    settings.PIPELINE_XLSX_MAX_ROWS = 1
    in_review(submitted_proposal(), keit=keit, channel="loan")
    in_review(submitted_proposal(), keit=keit, channel="loan")
    c = _client(client, kdb)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = c.get(reverse("pipeline:export") + "?format=xlsx&channel=loan", follow=True)

    assert response.redirect_chain == [(reverse("pipeline:table") + "?channel=loan", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "An XLSX export holds at most 1 rows; narrow the filters or export CSV."
    ]


def test_a_full_walk_through_the_pages(client, keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit, channel="loan")
    c = _client(client, kdb)

    for stage in ("prescreen", "committee", "council"):
        c.post(reverse("pipeline:advance", args=[proposal.pk]), {"stage": stage})
    response = c.post(
        reverse("pipeline:decide", args=[proposal.pk]),
        {"decision": "approved", "channel": "loan", "amount_krw": "300억원"},
    )

    assert response.status_code == 302
    review = FundReview.objects.get(proposal=proposal)
    assert (review.stage, review.decision, review.approved_krw) == (
        "decided",
        "approved",
        30_000_000_000,
    )
    assert c.get(reverse("pipeline:detail", args=[proposal.pk])).status_code == 200


def test_a_decision_over_capacity_answers_409_with_the_message(client, keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="council")
    from fund.capacity.models import Channel

    loan = Channel.objects.get(code="loan")
    commitment_create(
        channel_code="loan", year=2026, amount_krw=loan.size_krw - 1, actor=kdb, region="busan"
    )

    response = _client(client, kdb).post(
        reverse("pipeline:decide", args=[proposal.pk]),
        {"decision": "approved", "channel": "loan", "amount_krw": "2"},
    )

    assert response.status_code == 409
    assert response.context["decide_form"].errors["amount_krw"] == [
        "The Ultra-low-rate loans channel has 1 won left; 2 won cannot be committed."
    ]
    assert Commitment.objects.count() == 1
    assert FundReview.objects.get(proposal=proposal).stage == "council"


def test_a_decision_amount_it_cannot_read_is_refused_on_its_field(client, keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="council")

    response = _client(client, kdb).post(
        reverse("pipeline:decide", args=[proposal.pk]),
        {"decision": "approved", "channel": "loan", "amount_krw": "삼백억"},
    )

    assert response.status_code == 400
    assert list(response.context["decide_form"].errors) == ["amount_krw"]
    assert FundReview.objects.get(proposal=proposal).decision == ""


def test_a_decision_form_with_bad_input_answers_400(client, keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="council")

    response = _client(client, kdb).post(
        reverse("pipeline:decide", args=[proposal.pk]),
        {"decision": "approved", "channel": "loan", "amount_krw": "999999999999"},
    )

    assert response.status_code == 400
    assert response.context["decide_form"].errors["amount_krw"] == [
        "The approved amount cannot exceed the requested 50,000,000,000 won."
    ]
    assert FundReview.objects.get(proposal=proposal).decision == ""


def test_another_proposal_in_the_pipeline_detail_is_404_for_keit(client, keit):
    proposal = in_review(submitted_proposal(), keit=keit)

    assert (
        _client(client, keit).get(reverse("pipeline:detail", args=[proposal.pk])).status_code == 404
    )


def test_pipeline_detail_of_a_proposal_not_in_the_pipeline_is_404(client, kdb):
    proposal = submitted_proposal()

    assert (
        _client(client, kdb).get(reverse("pipeline:detail", args=[proposal.pk])).status_code == 404
    )


def test_fund_question_from_the_page(client, keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit)

    _client(client, kdb).post(
        reverse("pipeline:request_info", args=[proposal.pk]), {"question": "담보 내역?"}
    )

    assert CoordinationPacket.objects.filter(kind="info_requested").count() == 1
    assert pipeline.NEXT_STAGE["received"] == "prescreen"


def _card(html: str, proposal_id: int) -> str:
    start = html.index(f'portal-board-card" data-proposal="{proposal_id}">')
    return html[start : html.index("</article>", start)]


def test_a_board_card_shows_title_firm_amount_channel_score_and_days(client, keit, kdb):
    proposal = submitted_proposal(title="스마트 공장 AX", requested_krw=3 * 10**9)
    waiting = in_review(proposal, keit=keit, channel="loan")
    decided = in_review(submitted_proposal(), keit=keit, channel="infra")
    FundReview.objects.filter(proposal=waiting).update(
        score=87, stage_entered_at=timezone.now() - datetime.timedelta(days=3, hours=1)
    )
    FundReview.objects.filter(proposal=decided).update(stage="decided", decision="rejected")

    html = _client(client, kdb).get(reverse("pipeline:board")).content.decode()

    card = _card(html, waiting.pk)
    assert f'<a href="{reverse("pipeline:detail", args=[waiting.pk])}">스마트 공장 AX</a>' in card
    assert f"<p>{waiting.firm.name}</p>" in card
    assert "Ultra-low-rate loans · <strong>87</strong>" in card
    assert "3 days in this stage" in card
    assert "Reject" in _card(html, decided.pk)


def test_after_an_approval_the_board_card_shows_the_approved_amount(client, keit, kdb):
    proposal = submitted_proposal(total_cost_krw=400_000_000_000, requested_krw=180_000_000_000)
    in_review(proposal, keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="council")
    pipeline.proposal_decide(
        proposal_id=proposal.pk,
        actor=kdb,
        decision="approved",
        channel="loan",
        amount_krw=150_000_000_000,
    )

    html = _client(client, kdb).get(reverse("pipeline:board")).content.decode()

    card = _card(html, proposal.pk)
    approved = re.search(r'data-amount="approved"><strong>([^<]*)</strong>', card).group(1)
    requested = re.search(r'data-amount="requested">([^<]*)<', card).group(1)
    assert (approved, requested) == ("Approved KRW 150 billion", "(requested KRW 180 billion)")


def test_an_undecided_card_shows_only_the_requested_amount(client, keit, kdb):
    proposal = in_review(submitted_proposal(requested_krw=3 * 10**9), keit=keit)

    card = _card(_client(client, kdb).get(reverse("pipeline:board")).content.decode(), proposal.pk)

    assert 'data-amount="approved"' not in card
    assert re.search(r'data-amount="requested">([^<]*)<', card).group(1) == "KRW 3 billion"


@pytest.mark.parametrize("compound_limits", [True, False], ids=["postgresql", "sqlite"])
def test_board_cards_are_the_best_scored_of_each_stage_in_score_order(
    client, keit, kdb, monkeypatch, compound_limits
):
    from django.db import connection

    from fund.review import selectors as pipeline_selectors

    monkeypatch.setattr(pipeline_selectors, "CARDS_PER_COLUMN", 2)
    # SQLite (`make run`) allows no LIMIT inside a UNION: the board reads stage by stage there.
    monkeypatch.setattr(
        connection.features, "supports_slicing_ordering_in_compound", compound_limits
    )
    reviews = [in_review(submitted_proposal(), keit=keit) for _ in range(4)]
    places = [("received", 10), ("received", 90), ("received", 50), ("committee", 70)]
    for review, (stage, score) in zip(reviews, places, strict=True):
        FundReview.objects.filter(proposal=review).update(stage=stage, score=score)

    response = _client(client, kdb).get(reverse("pipeline:board"))

    columns = {c.stage: [r.proposal_id for r in c.cards] for c in response.context["columns"]}
    counts = {c.stage: c.count for c in response.context["columns"]}
    assert columns["received"] == [reviews[1].pk, reviews[2].pk]
    assert columns["committee"] == [reviews[3].pk]
    assert (counts["received"], counts["committee"]) == (3, 1)


def test_a_table_row_shows_stage_decision_reviewer_and_the_version_to_tick(client, keit, kdb):
    waiting = in_review(submitted_proposal(title="표 행"), keit=keit, channel="direct")
    decided = in_review(submitted_proposal(), keit=keit, channel="infra")
    FundReview.objects.filter(proposal=waiting).update(reviewer=kdb)
    FundReview.objects.filter(proposal=decided).update(stage="decided", decision="deferred")

    html = _client(client, kdb).get(reverse("pipeline:table")).content.decode()

    rows = dict(re.findall(r'<tr data-proposal="(\d+)">(.*?)</tr>', html, re.S))
    version = Proposal.objects.get(pk=waiting.pk).version
    assert f'value="{waiting.pk}:{version}"' in rows[str(waiting.pk)]
    assert "Direct investment" in rows[str(waiting.pk)]
    assert "<td>Received</td>" in rows[str(waiting.pk)]
    assert "<td>kdb</td>" in rows[str(waiting.pk)]
    assert 'type="checkbox"' not in rows[str(decided.pk)]
    assert "<td>Decided · Defer</td>" in rows[str(decided.pk)]
    assert "<td>—</td>" in rows[str(decided.pk)]


def test_the_bulk_form_offers_the_fund_staff_as_reviewers(client, keit, kdb):
    in_review(submitted_proposal(), keit=keit)

    response = _client(client, kdb).get(reverse("pipeline:table"))

    field = response.context["bulk_form"]["reviewer"]
    assert [(str(c.data["value"]), c.data["label"]) for c in field.subwidgets] == [
        ("", "Choose…"),
        (str(kdb.pk), "kdb"),
    ]
