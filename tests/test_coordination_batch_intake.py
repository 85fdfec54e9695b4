"""The batch form of the referral intake: the same rows as one delivery at a time, a fixed
number of queries however many referrals a batch holds, and one digest mail per fund staff
member per batch."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alliance.models import AuditLog, Proposal
from alliance.templatetags.portal_tags import krw
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundInbox, PacketKind
from fund.coordination.tasks import deliver_packets
from fund.review.models import FundReview
from portal.core import outbox as core_outbox
from portal.core.models import Notification
from portal.core.tasks import send_notifications
from portal.core.vocabulary import Role
from tests.factories import FirmFactory, UserFactory
from tests.pipeline_support import referral_of, submitted_proposal

SITE = "https://fund.example.kr"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sent(monkeypatch):
    """What the on-commit callbacks hand to the broker, by task."""
    tasks = {"mail": [], "deliveries": []}
    monkeypatch.setattr(
        send_notifications, "apply_async", lambda args, **options: tasks["mail"].append(args[0])
    )
    monkeypatch.setattr(
        deliver_packets, "apply_async", lambda args, **options: tasks["deliveries"].append(args[0])
    )
    return tasks


def _fund_staff():
    """Two active KDB users with mail, one without an address, one inactive."""
    UserFactory(username="kdb1", role=Role.FUND_SECRETARIAT)
    UserFactory(username="kdb2", role=Role.FUND_SECRETARIAT)
    UserFactory(username="kdb-nomail", role=Role.FUND_SECRETARIAT, email="")
    UserFactory(username="kdb-gone", role=Role.FUND_SECRETARIAT, is_active=False)


def _referred(keit, count: int, **fields) -> list[Proposal]:
    proposals = [submitted_proposal(**fields) for _ in range(count)]
    for proposal in proposals:
        coordination.proposal_refer(
            proposal_id=proposal.pk, actor=keit, note="지역 제조 AX 우수 사례", channel="loan"
        )
        proposal.refresh_from_db()
    return proposals


def _ids(proposals) -> list[str]:
    return [str(referral_of(p).pk) for p in proposals]


def _intake_rows(proposal) -> dict:
    """What the intake wrote for `proposal`, with its own ids and the times checked and left
    out, so that two proposals' rows compare equal when the same intake wrote them."""
    referral = referral_of(proposal)
    review = FundReview.objects.filter(proposal=proposal).values().get()
    assert (review.pop("proposal_id"), review.pop("referral_id")) == (proposal.pk, referral.pk)
    assert review.pop("stage_entered_at") == review.pop("received_at")
    audit = AuditLog.objects.filter(proposal=proposal, action="proposal.receive").values().get()
    del audit["id"], audit["created_at"]
    assert (audit.pop("proposal_id"), audit.pop("object_id"), audit.pop("firm_id")) == (
        proposal.pk,
        str(proposal.pk),
        proposal.firm_id,
    )
    assert audit["data"].pop("packet") == str(referral.pk)
    back = CoordinationPacket.objects.filter(proposal=proposal, kind=PacketKind.RECEIVED)
    status = back.values().get()
    del status["id"], status["sequence"], status["created_at"], status["proposal_id"]
    assert status.pop("next_attempt_at") - status.pop("last_sent_at") == coordination.backoff(1)
    payload = status["payload"]
    assert isinstance(datetime.datetime.fromisoformat(payload.pop("at")), datetime.datetime)
    assert (payload.pop("proposal"), payload.pop("title"), payload.pop("firm")) == (
        proposal.pk,
        proposal.title,
        proposal.firm.name,
    )
    assert payload.pop("referral") == str(referral.pk)
    before = proposal.version
    after = Proposal.objects.filter(pk=proposal.pk).values("status", "stage", "version").get()
    after["version"] -= before
    return {"review": review, "audit": audit, "status": status, "proposal": after}


EXPECTED_ROWS = {
    "review": {
        "channel": "loan",
        "score": 61,
        "rule_version": 1,
        "requested_krw": 50_000_000_000,
        "stage": "received",
        "keit_note": "지역 제조 AX 우수 사례",
        "reviewer_id": None,
        "decision": "",
        "decided_channel": "",
        "approved_krw": None,
        "conditions": "",
        "decided_at": None,
        "decided_by_id": None,
        "decision_results": [],
        "info_question": "",
        "info_requested_at": None,
    },
    "audit": {
        "actor_id": None,
        "action": "proposal.receive",
        "object_type": "proposal",
        "from_state": "referred",
        "to_state": "in_review",
        "note": "",
        "data": {"stage": "received", "channel": "loan"},
    },
    "status": {
        "kind": "received",
        "direction": "kdb_to_keit",
        "payload": {"status": "in_review", "stage": "received", "channel": "loan"},
        "state": "pending",
        "attempts": 1,
        "delivered_at": None,
        "acknowledged_at": None,
        "acknowledged_by_id": None,
        "last_error": "",
        "created_by_id": None,
    },
    "proposal": {"status": "in_review", "stage": "received", "version": 1},
}


def test_the_batch_intake_writes_the_same_rows_as_one_delivery_at_a_time(keit):
    singles, batched = _referred(keit, 3), _referred(keit, 3)

    for pk in _ids(singles):
        assert coordination.packet_deliver(packet_id=pk) == "delivered"
    counts = coordination.packet_deliver_many(packet_ids=_ids(batched))

    assert counts == {"delivered": 3, "duplicate": 0, "missing": 0, "failed": 0}
    assert [_intake_rows(p) for p in singles] == [EXPECTED_ROWS] * 3
    assert [_intake_rows(p) for p in batched] == [EXPECTED_ROWS] * 3
    assert FundInbox.objects.count() == 6
    # The batch's status packets are numbered in the order its referrals were written (one
    # nextval series), after every packet written before.
    batch = [r.pk for r in sorted(map(referral_of, batched), key=lambda r: r.sequence)]
    sequences = [
        CoordinationPacket.objects.get(payload__referral=str(pk), kind="received").sequence
        for pk in batch
    ]
    assert sequences == sorted(sequences)
    assert sequences[0] > max(
        CoordinationPacket.objects.filter(kind="referral").values_list("sequence", flat=True)
    )
    assert len(set(sequences)) == 3


def test_a_batch_sends_its_status_packets_as_one_delivery_message_after_commit(
    keit, sent, django_capture_on_commit_callbacks
):
    proposals = _referred(keit, 4)

    with django_capture_on_commit_callbacks(execute=True):
        coordination.packet_deliver_many(packet_ids=_ids(proposals))

    received = CoordinationPacket.objects.filter(kind="received").order_by("sequence")
    assert sent["deliveries"] == [[str(pk) for pk in received.values_list("pk", flat=True)]]


def test_a_referral_no_longer_waiting_is_noted_and_opens_nothing_in_a_batch(keit):
    waiting, withdrawn = _referred(keit, 2)
    Proposal.objects.filter(pk=withdrawn.pk).update(status="withdrawn")

    counts = coordination.packet_deliver_many(packet_ids=_ids([waiting, withdrawn]))

    assert counts == {"delivered": 2, "duplicate": 0, "missing": 0, "failed": 0}
    assert list(FundReview.objects.values_list("proposal_id", flat=True)) == [waiting.pk]
    assert referral_of(withdrawn).last_error == "The proposal was no longer waiting for the fund."
    assert referral_of(waiting).last_error == ""
    assert Proposal.objects.get(pk=withdrawn.pk).status == "withdrawn"
    assert CoordinationPacket.objects.filter(kind="received").count() == 1


def _batch_queries(keit, count: int) -> int:
    ids = _ids(_referred(keit, count))
    with CaptureQueriesContext(connection) as queries:
        counts = coordination.packet_deliver_many(packet_ids=ids)
    assert counts["delivered"] == count
    return len(queries)


def test_the_queries_of_a_batch_of_referrals_do_not_grow_with_its_size(keit):
    _fund_staff()

    # savepoint, packets locked, inbox rows, proposals locked, reviews, proposals moved,
    # audit rows, sequence numbers, status packets, packet states, the digest's own savepoint,
    # recipients, mail, its release, release
    assert _batch_queries(keit, 5) == 15
    assert _batch_queries(keit, 20) == 15


def test_a_batch_writes_one_digest_mail_per_fund_staff_member_and_one_send_task(
    keit, sent, django_capture_on_commit_callbacks
):
    _fund_staff()
    proposals = _referred(keit, 3)

    with django_capture_on_commit_callbacks(execute=True):
        coordination.packet_deliver_many(packet_ids=_ids(proposals))

    rows = list(
        Notification.objects.order_by("recipient").values_list(
            "kind", "recipient", "state", "proposal_id"
        )
    )
    assert rows == [
        ("referral_received", "kdb1@example.kr", "pending", None),
        ("referral_received", "kdb2@example.kr", "pending", None),
    ]
    assert sent["mail"] == [list(Notification.objects.order_by("pk").values_list("pk", flat=True))]
    assert mail.outbox == []


def test_the_digest_lists_every_referral_in_korean_then_english(keit, sent):
    _fund_staff()
    proposals = [
        *_referred(keit, 1, firm=FirmFactory(name="창원정밀"), title="창원 AI 팩토리"),
        *_referred(keit, 1, firm=FirmFactory(name="울산화학"), title="울산 공정 자율화"),
    ]
    coordination.packet_deliver_many(packet_ids=_ids(proposals))

    result = send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))

    assert result == {"sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["kdb1@example.kr", "kdb2@example.kr"]
    message = mail.outbox[0]
    assert message.subject.startswith("[M.AX × 국민성장펀드] ")
    assert "2 new referrals from KEIT" in message.subject
    korean, english = message.body.split(core_outbox.MAIL_LANGUAGE_SEPARATOR)
    with translation.override("ko"):
        channel_ko, amount_ko = str(_("Ultra-low-rate loans")), krw(50_000_000_000)
        headline_ko = _("Proposed channel")
    assert headline_ko in korean
    assert english.startswith("2 referred proposals were received by the fund")
    for text, channel, amount in (
        (korean, channel_ko, amount_ko),
        (english, "Ultra-low-rate loans", "KRW 50 billion"),
    ):
        for firm, title, proposal in zip(
            ("창원정밀", "울산화학"), ("창원 AI 팩토리", "울산 공정 자율화"), proposals, strict=True
        ):
            assert firm in text
            assert title in text
            assert f"{SITE}{reverse('pipeline:detail', args=[proposal.pk])}" in text
        assert text.count(channel) == 2
        assert text.count(amount) == 2


def test_a_batch_taken_in_again_mails_nothing_more(keit, sent):
    _fund_staff()
    ids = _ids(_referred(keit, 3))
    coordination.packet_deliver_many(packet_ids=ids)
    before = list(Notification.objects.order_by("pk").values())

    counts = coordination.packet_deliver_many(packet_ids=ids)

    assert counts == {"delivered": 0, "duplicate": 3, "missing": 0, "failed": 0}
    assert list(Notification.objects.order_by("pk").values()) == before


def test_a_batch_with_one_referral_mails_as_a_single_delivery(keit, sent):
    _fund_staff()
    (proposal,) = _referred(keit, 1, title="창원 AI 팩토리")

    coordination.packet_deliver_many(packet_ids=_ids([proposal]))

    rows = list(Notification.objects.order_by("recipient").values_list("proposal_id", "subject"))
    assert [pk for pk, _subject in rows] == [proposal.pk, proposal.pk]
    assert all("New referral from KEIT: 창원 AI 팩토리" in subject for _pk, subject in rows)


def test_when_one_referral_fails_the_others_are_taken_in_one_by_one_with_one_digest(keit, sent):
    _fund_staff()
    proposals = _referred(keit, 4)
    bad = referral_of(proposals[1])
    payload = bad.payload
    for match in payload["match_results"]:
        match["score"] = 99_999
    CoordinationPacket.objects.filter(pk=bad.pk).update(payload=payload)

    counts = coordination.packet_deliver_many(packet_ids=_ids(proposals))

    assert counts == {"delivered": 3, "duplicate": 0, "missing": 0, "failed": 1}
    assert "out of range" in CoordinationPacket.objects.get(pk=bad.pk).last_error
    assert FundReview.objects.count() == 3
    assert [_intake_rows(p) for p in proposals if p.pk != bad.proposal_id] == [EXPECTED_ROWS] * 3
    assert list(Notification.objects.order_by("recipient").values_list("recipient", flat=True)) == [
        "kdb1@example.kr",
        "kdb2@example.kr",
    ]
    assert "3 new referrals from KEIT" in Notification.objects.first().subject
    assert len(sent["mail"]) == 0  # no commit inside the test's transaction


def test_a_digest_mail_that_fails_holds_back_no_packet_of_its_batch(keit, sent, monkeypatch):
    _fund_staff()
    proposals = _referred(keit, 3)

    def refuse(**kwargs):
        raise RuntimeError("the mail template is broken")

    monkeypatch.setattr(coordination.notifications, "notify_referrals_received", refuse)
    counts = coordination.packet_deliver_many(packet_ids=_ids(proposals))

    assert counts == {"delivered": 3, "duplicate": 0, "missing": 0, "failed": 0}
    assert FundReview.objects.count() == 3
    assert [_intake_rows(p) for p in proposals] == [EXPECTED_ROWS] * 3
    assert set(
        CoordinationPacket.objects.filter(kind="referral").values_list("state", flat=True)
    ) == {"delivered"}
    assert Notification.objects.count() == 0


def test_a_single_referral_mail_that_fails_holds_back_nothing(keit, monkeypatch):
    _fund_staff()
    (proposal,) = _referred(keit, 1)

    def refuse(**kwargs):
        raise RuntimeError("the mail template is broken")

    monkeypatch.setattr(coordination.notifications, "notify_referral_received", refuse)
    outcome = coordination.packet_deliver(packet_id=referral_of(proposal).pk)

    assert outcome == "delivered"
    assert _intake_rows(proposal) == EXPECTED_ROWS
    assert Notification.objects.count() == 0


def test_a_batch_takes_its_packets_in_in_the_order_they_were_written(keit, sent):
    proposals = _referred(keit, 6)
    ids = _ids(proposals)

    coordination.packet_deliver_many(packet_ids=sorted(ids, reverse=True))

    # The pipeline entries open in the referrals' order, whatever the ids' order.
    opened = list(FundReview.objects.order_by("pk").values_list("referral__sequence", flat=True))
    assert opened == sorted(opened)
    assert len(opened) == 6
