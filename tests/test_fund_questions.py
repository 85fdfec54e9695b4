"""The fund secretariat's question: KEIT relays it, the applicant answers, the answer goes back
to the fund as an `info_provided` packet; the proposal stays in the fund's review throughout."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, ProposalPartner
from alliance.proposals import services
from fund.coordination import fund_questions
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundInbox, FundQuestion, PacketKind
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.core.models import Notification
from tests.factories import ApplicantFactory, FirmFactory, UserFactory
from tests.pipeline_support import in_review, submitted_proposal

pytestmark = pytest.mark.django_db

QUESTION = "최근 3개년 재무제표와 설비 투자 일정표를 보내 주세요."


def browser(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def asked(proposal, *, kdb, question: str = QUESTION) -> FundQuestion:
    """KDB asks about a proposal in review and KEIT takes the packet in."""
    pipeline.proposal_request_info(proposal_id=proposal.pk, actor=kdb, question=question)
    packet = CoordinationPacket.objects.filter(kind=PacketKind.INFO_REQUESTED).latest("sequence")
    coordination.packet_deliver(packet_id=packet.pk)
    return FundQuestion.objects.get(packet=packet)


@pytest.fixture
def proposal(keit, firm, applicant):
    return in_review(submitted_proposal(firm=firm, created_by=applicant), keit=keit)


@pytest.fixture
def question(proposal, kdb):
    return asked(proposal, kdb=kdb)


def relayed(question, keit, text: str = "KDB 질문: " + QUESTION) -> FundQuestion:
    return fund_questions.fund_question_relay(question_id=question.pk, actor=keit, text=text)


def snapshot(proposal) -> tuple:
    """What a refused relay or answer must leave as it was."""
    proposal.refresh_from_db()
    return (
        proposal.status,
        proposal.stage,
        proposal.version,
        list(FundQuestion.objects.order_by("pk").values()),
        AuditLog.objects.count(),
        CoordinationPacket.objects.count(),
        Notification.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# Intake of the fund's question on KEIT's side


def test_the_funds_question_taken_in_opens_one_question_for_keit(proposal, kdb):
    question = asked(proposal, kdb=kdb)
    packet = question.packet

    assert coordination.packet_deliver(packet_id=packet.pk) == "duplicate"

    assert FundQuestion.objects.count() == 1
    assert (question.proposal_id, question.question, question.state) == (
        proposal.pk,
        QUESTION,
        "open",
    )
    assert question.asked_at == packet.created_at


def test_keit_lists_the_open_questions_with_a_pinned_query_count(
    keit, kdb, django_assert_num_queries
):
    for _n in range(3):
        asked(in_review(submitted_proposal(), keit=keit), kdb=kdb)
    waiting = FundQuestion.objects.order_by("pk").last()
    relayed(waiting, keit)
    client = browser(keit)

    # session, user, roles, count, the page of open questions, the waiting questions
    with django_assert_num_queries(6):
        response = client.get(reverse("alliance:fund_questions"))

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2
    assert [q.pk for q in response.context["waiting"]] == [waiting.pk]


@pytest.mark.parametrize("who", ["applicant", "kdb", "editor"])
def test_only_keit_sees_the_questions_pages(request, who, question):
    client = browser(request.getfixturevalue(who))

    assert client.get(reverse("alliance:fund_questions")).status_code == 404
    assert client.get(reverse("alliance:fund_question", args=[question.pk])).status_code == 404


def test_keits_navigation_links_to_the_questions(keit):
    response = browser(keit).get(reverse("home"))

    assert reverse("alliance:fund_questions") in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Relaying


def test_keit_relays_the_question_edited_and_the_proposal_stays_in_the_funds_review(
    keit, proposal, question
):
    client = browser(keit)
    page = client.get(reverse("alliance:fund_question", args=[question.pk]))
    assert page.context["form"]["text"].value() == QUESTION

    response = client.post(
        reverse("alliance:fund_question", args=[question.pk]),
        {"text": QUESTION + "\n설비 견적서도 함께 첨부해 주세요."},
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == "relayed"
    assert question.relayed_question == QUESTION + "\n설비 견적서도 함께 첨부해 주세요."
    assert question.relayed_by == keit
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")
    assert FundReview.objects.get(proposal=proposal).stage == "received"
    entry = AuditLog.objects.filter(action="proposal.relay_fund_question").get()
    assert (entry.actor, entry.proposal_id, entry.from_state, entry.to_state) == (
        keit,
        proposal.pk,
        "received",
        "received",
    )
    assert list(
        Notification.objects.filter(kind="info_requested").values_list("recipient", flat=True)
    ) == ["applicant@example.kr"]


def test_relaying_twice_is_refused_and_changes_nothing(keit, proposal, question):
    relayed(question, keit)
    before = snapshot(proposal)

    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        relayed(question, keit, text="다시 보냄")

    assert excinfo.value.message == (
        "This question was already sent to the applicant; there is no open question."
    )
    assert snapshot(proposal) == before


def test_relaying_twice_through_the_page_says_why(keit, proposal, question):
    relayed(question, keit)
    before = snapshot(proposal)

    response = browser(keit).post(
        reverse("alliance:fund_question", args=[question.pk]), {"text": "다시"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "This question was already sent to the applicant; there is no open question."
    ]
    assert snapshot(proposal) == before


def test_relaying_an_empty_question_is_refused_on_the_field(keit, proposal, question):
    before = snapshot(proposal)

    response = browser(keit).post(
        reverse("alliance:fund_question", args=[question.pk]), {"text": "   "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"text": ["Write the question for the applicant."]}
    assert snapshot(proposal) == before


def test_relaying_a_question_that_does_not_exist_is_404(keit):
    assert browser(keit).get(reverse("alliance:fund_question", args=[987654])).status_code == 404
    with pytest.raises(services.TransitionNotAllowed):
        fund_questions.fund_question_relay(question_id=987654, actor=keit, text="질문")


def test_only_keit_staff_may_relay(kdb, applicant, proposal, question):
    before = snapshot(proposal)

    for actor in (kdb, applicant):
        with pytest.raises(PermissionDenied):
            fund_questions.fund_question_relay(question_id=question.pk, actor=actor, text="질문")

    assert snapshot(proposal) == before


def test_a_question_on_a_decided_proposal_can_no_longer_be_relayed(keit, proposal, question):
    proposal.status = "decided"
    proposal.save(update_fields=["status"])
    before = snapshot(proposal)

    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        relayed(question, keit)

    assert excinfo.value.message == (
        "The fund is no longer reviewing this proposal, so the question is closed."
    )
    assert snapshot(proposal) == before


def test_a_decision_closes_the_open_question_on_keits_pages(keit, proposal, question):
    proposal.status = "decided"
    proposal.save(update_fields=["status"])
    client = browser(keit)

    listing = client.get(reverse("alliance:fund_questions"))
    page = client.get(reverse("alliance:fund_question", args=[question.pk]))

    assert listing.context["page_obj"].paginator.count == 0
    assert page.context["can_relay"] is False
    assert 'data-testid="question-closed"' in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The applicant's answer


def test_the_applicant_sees_only_the_relayed_question_and_answers_it(
    keit, applicant, proposal, question
):
    client = browser(applicant)
    before_relay = client.get(reverse("alliance:proposal_detail", args=[proposal.pk]))
    assert before_relay.context["fund_questions"] == []
    relayed(question, keit)

    page = client.get(reverse("alliance:proposal_detail", args=[proposal.pk]))
    response = client.post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "재무제표 3개년과 일정표를 첨부 문서 목록에 정리했습니다."},
    )

    assert "KDB 질문: " + QUESTION in page.content.decode()
    assert [row["question"].pk for row in page.context["fund_questions"]] == [question.pk]
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == "answered"
    assert question.answered_by == applicant
    packet = question.answer_packet
    assert (packet.kind, packet.direction, packet.state, packet.proposal_id) == (
        "info_provided",
        "keit_to_kdb",
        "pending",
        proposal.pk,
    )
    assert {k: packet.payload[k] for k in ("question", "relayed_question", "answer")} == {
        "question": QUESTION,
        "relayed_question": "KDB 질문: " + QUESTION,
        "answer": "재무제표 3개년과 일정표를 첨부 문서 목록에 정리했습니다.",
    }
    assert packet.payload["question_packet"] == str(question.packet_id)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")
    assert AuditLog.objects.filter(action="proposal.answer_fund_question").count() == 1
    answered_page = client.get(reverse("alliance:proposal_detail", args=[proposal.pk]))
    assert answered_page.context["fund_questions"][0]["form"] is None


def test_the_answer_taken_in_by_the_fund_is_in_its_history_and_mailed_to_the_reviewer(
    keit, kdb, applicant, proposal, question
):
    reviewer = UserFactory(username="kdb-reviewer", role="fund_secretariat")
    pipeline.review_assign(proposal_id=proposal.pk, actor=kdb, reviewer=reviewer)
    relayed(question, keit)
    fund_questions.fund_question_answer(
        question_id=question.pk, actor=applicant, answer="답변입니다."
    )
    packet = CoordinationPacket.objects.get(kind=PacketKind.INFO_PROVIDED)

    assert coordination.packet_deliver(packet_id=packet.pk) == "delivered"
    assert coordination.packet_deliver(packet_id=packet.pk) == "duplicate"

    assert FundInbox.objects.filter(packet=packet).count() == 1
    entry = AuditLog.objects.get(action="proposal.fund_info_received")
    assert (entry.actor, entry.proposal_id, entry.note) == (None, proposal.pk, "답변입니다.")
    assert list(
        Notification.objects.filter(kind="fund_answer").values_list("recipient", flat=True)
    ) == ["kdb-reviewer@example.kr"]
    # KDB reads the answer on the packet, from its review page.
    page = browser(kdb).get(reverse("pipeline:packet_detail", args=[packet.pk]))
    assert "답변입니다." in page.content.decode()
    # ...and on the review page itself, beside the question it answers.
    review_page = browser(kdb).get(reverse("pipeline:detail", args=[proposal.pk])).content.decode()
    assert f'<dd data-answer="{packet.pk}">답변입니다.</dd>' in review_page
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")


def test_answering_another_firms_proposal_is_404_and_changes_nothing(keit, proposal, question):
    relayed(question, keit)
    outsider = ApplicantFactory(firm=FirmFactory(name="두산로보틱스"), username="applicant2")
    before = snapshot(proposal)

    response = browser(outsider).post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "남의 답변"},
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        fund_questions.fund_question_answer(
            question_id=question.pk, actor=outsider, answer="남의 답변"
        )
    assert snapshot(proposal) == before


def test_a_consortium_partner_sees_the_question_but_cannot_answer(keit, proposal, question):
    partner_firm = FirmFactory(name="마키나락스")
    ProposalPartner.objects.create(proposal=proposal, firm=partner_firm)
    partner = ApplicantFactory(firm=partner_firm, username="partner")
    relayed(question, keit)
    client = browser(partner)
    before = snapshot(proposal)

    page = client.get(reverse("alliance:proposal_detail", args=[proposal.pk]))
    response = client.post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "파트너 답변"},
    )

    assert [row["form"] for row in page.context["fund_questions"]] == [None]
    assert response.status_code == 404
    assert snapshot(proposal) == before


def test_an_empty_answer_is_refused_on_the_field(keit, applicant, proposal, question):
    relayed(question, keit)
    before = snapshot(proposal)

    response = browser(applicant).post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "  "},
    )

    assert response.status_code == 400
    (row,) = response.context["fund_questions"]
    assert row["form"].errors == {"answer": ["Write your answer."]}
    assert snapshot(proposal) == before


def test_an_answer_that_is_too_long_is_refused_on_the_field(keit, applicant, proposal, question):
    relayed(question, keit)
    before = snapshot(proposal)

    with pytest.raises(ValidationError) as excinfo:
        fund_questions.fund_question_answer(
            question_id=question.pk, actor=applicant, answer="가" * (fund_questions.ANSWER_MAX + 1)
        )

    assert excinfo.value.message_dict == {"answer": ["At most 5000 characters."]}
    assert snapshot(proposal) == before


def test_answering_twice_is_refused_and_changes_nothing(keit, applicant, proposal, question):
    relayed(question, keit)
    client = browser(applicant)
    url = reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk])
    client.post(url, {"answer": "첫 답변"}, follow=True)
    before = snapshot(proposal)

    response = client.post(url, {"answer": "두 번째 답변"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This question has already been answered."
    ]
    assert snapshot(proposal) == before
    question.refresh_from_db()
    assert question.answer == "첫 답변"


def test_a_question_not_yet_relayed_cannot_be_answered(applicant, proposal, question):
    before = snapshot(proposal)

    response = browser(applicant).post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "미리 답변"},
    )

    assert response.status_code == 404
    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        fund_questions.fund_question_answer(question_id=question.pk, actor=applicant, answer="미리")
    assert excinfo.value.message == "This question has not been sent to your firm."
    assert snapshot(proposal) == before


def test_the_answer_url_answers_post_only(keit, applicant, proposal, question):
    relayed(question, keit)
    url = reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk])

    assert browser(applicant).get(url).status_code == 405
    assert browser().post(url, {"answer": "x"}).status_code == 302


def test_the_whole_round_trip_through_the_pages(keit, kdb, applicant, proposal):
    kdb_client, keit_client, firm_client = browser(kdb), browser(keit), browser(applicant)
    kdb_client.post(reverse("pipeline:request_info", args=[proposal.pk]), {"question": QUESTION})
    for packet in CoordinationPacket.objects.filter(state="pending", direction="kdb_to_keit"):
        coordination.packet_deliver(packet_id=packet.pk)
    (question,) = keit_client.get(reverse("alliance:fund_questions")).context["page_obj"]

    keit_client.post(reverse("alliance:fund_question", args=[question.pk]), {"text": QUESTION})
    firm_client.post(
        reverse("alliance:fund_question_answer", args=[proposal.pk, question.pk]),
        {"answer": "보냈습니다."},
    )
    answer_packet = CoordinationPacket.objects.get(kind=PacketKind.INFO_PROVIDED)
    coordination.packet_deliver(packet_id=answer_packet.pk)

    review_page = kdb_client.get(reverse("pipeline:detail", args=[proposal.pk]))
    assert answer_packet in list(review_page.context["packets"])
    assert (
        keit_client.get(reverse("alliance:fund_questions")).context["page_obj"].paginator.count == 0
    )
    assert list(Notification.objects.order_by("pk").values_list("kind", "recipient")) == [
        ("referral_received", "kdb@example.kr"),
        ("fund_question", "keit@example.kr"),
        ("info_requested", "applicant@example.kr"),
        ("fund_answer", "kdb@example.kr"),
    ]
