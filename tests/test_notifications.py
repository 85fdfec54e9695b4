"""The mail outbox: rows written with their event, sent after commit, swept when the task never
ran, bounded attempts, and no second mail for an event taken in twice."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.notifications import services as notifications
from alliance.proposals import services
from alliance.templatetags.portal_tags import krw
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, PacketKind
from fund.review import services as pipeline
from portal.core import outbox as core_outbox
from portal.core.models import Notification
from portal.core.tasks import send_notifications, sweep_notifications
from portal.core.vocabulary import Role
from tests.factories import ApplicantFactory, UserFactory
from tests.pipeline_support import STAGES_TO_COUNCIL, in_review, submitted_proposal, wait_for

SITE = "https://fund.example.kr"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def sent_tasks(monkeypatch):
    """What the on-commit callbacks hand to the broker: each task's notification ids."""
    sent = []
    monkeypatch.setattr(
        send_notifications, "apply_async", lambda args, **options: sent.append(args[0])
    )
    return sent


def _rows():
    return list(
        Notification.objects.order_by("kind", "recipient").values_list("kind", "recipient", "state")
    )


def _fund_staff():
    """Two active KDB users with mail, one without an address, one inactive."""
    UserFactory(username="kdb1", role=Role.FUND_SECRETARIAT)
    UserFactory(username="kdb2", role=Role.FUND_SECRETARIAT)
    UserFactory(username="kdb-nomail", role=Role.FUND_SECRETARIAT, email="")
    UserFactory(username="kdb-gone", role=Role.FUND_SECRETARIAT, is_active=False)


def _referred_and_taken_in(keit, **fields):
    proposal = submitted_proposal(**fields)
    packet = coordination.proposal_refer(
        proposal_id=proposal.pk, actor=keit, note="지역 제조 AX 우수 사례", channel="loan"
    )
    coordination.packet_deliver(packet_id=packet.pk)
    return proposal, packet


# ---------------------------------------------------------------------------------------------
# Referral received


def test_a_referral_taken_in_writes_one_mail_per_active_fund_staff_member_with_an_address(
    keit, django_capture_on_commit_callbacks, sent_tasks
):
    _fund_staff()

    with django_capture_on_commit_callbacks(execute=True):
        _referred_and_taken_in(keit)

    assert _rows() == [
        ("referral_received", "kdb1@example.kr", "pending"),
        ("referral_received", "kdb2@example.kr", "pending"),
    ]
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    # Sent by a task after the commit, not inside the delivery; one task for the event.
    assert sent_tasks == [ids]
    assert mail.outbox == []


def test_the_referral_mail_names_firm_title_channel_amount_and_link_in_korean_then_english(
    keit, firm
):
    _fund_staff()
    proposal, _packet = _referred_and_taken_in(keit, firm=firm, title="창원 AI 팩토리")

    result = send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))

    assert result == {"sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["kdb1@example.kr", "kdb2@example.kr"]
    message = mail.outbox[0]
    korean, english = message.body.split(core_outbox.MAIL_LANGUAGE_SEPARATOR)
    link = f"{SITE}{reverse('pipeline:detail', args=[proposal.pk])}"
    with translation.override("ko"):
        channel_ko, amount_ko = str(_("Ultra-low-rate loans")), krw(50_000_000_000)
    for text, channel, amount in (
        (korean, channel_ko, amount_ko),
        (english, "Ultra-low-rate loans", "KRW 50 billion"),
    ):
        assert "현대자동차" in text
        assert "창원 AI 팩토리" in text
        assert channel in text
        assert amount in text
        assert "지역 제조 AX 우수 사례" in text
        assert link in text
    assert "New referral from KEIT: 창원 AI 팩토리" in message.subject
    assert message.subject.startswith("[M.AX × 국민성장펀드] ")
    assert set(Notification.objects.values_list("state", "attempts")) == {("sent", 1)}
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_a_packet_delivered_again_writes_and_sends_no_second_mail(keit):
    _fund_staff()
    proposal, packet = _referred_and_taken_in(keit)
    send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))
    before = list(Notification.objects.order_by("pk").values())

    # A redelivery, and the intake's own notify called again for the same packet.
    assert coordination.packet_deliver(packet_id=packet.pk) == "duplicate"
    again = notifications.notify_referral_received(proposal=proposal, packet=packet, channel="loan")
    resent = send_notifications.run(again)

    assert sorted(again) == [row["id"] for row in before]
    assert resent == {"skipped": 2}
    assert list(Notification.objects.order_by("pk").values()) == before
    assert len(mail.outbox) == 2


def test_the_send_task_run_twice_sends_each_mail_once(keit):
    _fund_staff()
    _referred_and_taken_in(keit)
    ids = list(Notification.objects.values_list("pk", flat=True))

    first, second = send_notifications.run(ids), send_notifications.run(ids)

    assert (first, second) == ({"sent": 2}, {"skipped": 2})
    assert len(mail.outbox) == 2


# ---------------------------------------------------------------------------------------------
# Failures, the sweep and bounded attempts


def _refuse_mail(monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)


def test_a_refused_send_is_kept_pending_with_its_error_and_a_later_attempt(
    keit, kdb, monkeypatch, settings
):
    settings.NOTIFICATION_RETRY_AFTER = 60
    _referred_and_taken_in(keit)
    (notification,) = Notification.objects.all()
    _refuse_mail(monkeypatch)
    before = timezone.now()

    assert send_notifications.run([notification.pk]) == {"retry": 1}

    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 1)
    assert notification.last_error == "SMTPServerDisconnected('the mail server went away')"
    assert notification.sent_at is None
    assert (
        before + datetime.timedelta(seconds=60)
        <= notification.next_attempt_at
        <= timezone.now() + datetime.timedelta(seconds=60)
    )


def test_after_the_last_attempt_the_mail_is_failed_and_the_sweep_leaves_it(
    keit, kdb, monkeypatch, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    _referred_and_taken_in(keit)
    (notification,) = Notification.objects.all()
    _refuse_mail(monkeypatch)
    outcomes = []
    for _attempt in range(3):
        Notification.objects.filter(pk=notification.pk).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        outcomes.append(core_outbox.sweep())

    later = core_outbox.sweep(now=timezone.now() + datetime.timedelta(days=1))

    assert outcomes == [{"retry": 1}, {"retry": 1}, {"failed": 1}]
    assert later == {}
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.next_attempt_at) == (
        "failed",
        3,
        None,
    )
    assert mail.outbox == []


def test_mail_whose_task_never_reached_the_broker_is_sent_by_the_sweep(
    keit, kdb, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(send_notifications, "apply_async", broker_down)

    # The robust on-commit callback swallows the broker's refusal: the intake stands.
    with django_capture_on_commit_callbacks(execute=True):
        proposal, _packet = _referred_and_taken_in(keit)

    proposal.refresh_from_db()
    assert proposal.status == "in_review"
    (notification,) = Notification.objects.all()
    assert notification.state == "pending"
    # Not yet due: the task sent on commit has the first minute to itself.
    assert sweep_notifications.run() == {}
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))

    result = sweep_notifications.run()

    assert result == {"sent": 1}
    assert [m.to for m in mail.outbox] == [["kdb@example.kr"]]
    notification.refresh_from_db()
    assert notification.state == "sent"


def test_staff_send_failed_mail_again_with_a_fresh_count(keit, kdb, sent_tasks):
    _referred_and_taken_in(keit)
    (notification,) = Notification.objects.all()
    Notification.objects.filter(pk=notification.pk).update(
        state="failed", attempts=5, next_attempt_at=None, last_error="refused"
    )
    sent_tasks.clear()

    count = core_outbox.notifications_retry(notification_ids=[notification.pk])

    assert count == 1
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 0)
    assert core_outbox.notifications_retry(notification_ids=[notification.pk]) == 0


def test_the_admin_lists_failed_mail(keit, kdb, client):
    _referred_and_taken_in(keit)
    Notification.objects.update(state="failed", attempts=5, next_attempt_at=None)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(reverse("admin:core_notification_changelist") + "?state=failed")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_the_admin_action_sends_failed_mail_again(keit, kdb, client, sent_tasks):
    _referred_and_taken_in(keit)
    (notification,) = Notification.objects.all()
    Notification.objects.update(state="failed", attempts=5, next_attempt_at=None)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:core_notification_changelist"),
        {"action": "send_again", "_selected_action": [notification.pk]},
    )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 0)


# ---------------------------------------------------------------------------------------------
# Information requested and decisions


def test_keits_own_question_mails_the_applicant_firms_users(keit, firm):
    applicant = ApplicantFactory(firm=firm, username="applicant")
    ApplicantFactory(firm=firm, username="colleague")
    ApplicantFactory(username="elsewhere")
    proposal = submitted_proposal(firm=firm, created_by=applicant)

    services.proposal_request_info(
        proposal_id=proposal.pk, actor=keit, question="사업계획서의 투자 일정을 보완해 주세요."
    )
    send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))

    assert _rows() == [
        ("info_requested", "applicant@example.kr", "sent"),
        ("info_requested", "colleague@example.kr", "sent"),
    ]
    body = mail.outbox[0].body
    assert body.count("사업계획서의 투자 일정을 보완해 주세요.") == 2
    assert body.count(f"{SITE}{reverse('alliance:proposal_detail', args=[proposal.pk])}") == 2


def test_a_refused_keit_question_writes_no_mail(keit, firm):
    ApplicantFactory(firm=firm, username="applicant")
    proposal = submitted_proposal(firm=firm)

    with pytest.raises(ValidationError):
        services.proposal_request_info(proposal_id=proposal.pk, actor=keit, question="  ")

    assert Notification.objects.count() == 0


def test_the_funds_question_taken_in_by_keit_mails_keit_staff(keit, kdb):
    UserFactory(username="keit2", role=Role.ALLIANCE_SECRETARIAT)
    proposal = in_review(submitted_proposal(), keit=keit)
    Notification.objects.all().delete()
    pipeline.proposal_request_info(
        proposal_id=proposal.pk, actor=kdb, question="재무제표 3개년을 보내 주세요."
    )
    packet = CoordinationPacket.objects.get(kind=PacketKind.INFO_REQUESTED)

    coordination.packet_deliver(packet_id=packet.pk)
    coordination.packet_deliver(packet_id=packet.pk)

    assert _rows() == [
        ("fund_question", "keit2@example.kr", "pending"),
        ("fund_question", "keit@example.kr", "pending"),
    ]
    body = Notification.objects.first().body
    assert body.count("재무제표 3개년을 보내 주세요.") == 2
    assert f"{SITE}/secretariat/fund-questions/" in body


def test_the_decision_taken_in_by_keit_mails_the_applicant_firm_and_keit(keit, kdb, firm):
    ApplicantFactory(firm=firm, username="applicant")
    proposal = in_review(submitted_proposal(firm=firm, title="두산 휴머노이드 라인"), keit=keit)
    for stage in STAGES_TO_COUNCIL:
        pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage=stage)
    pipeline.proposal_decide(
        proposal_id=proposal.pk,
        actor=kdb,
        decision="approved_with_conditions",
        channel="loan",
        amount_krw=40_000_000_000,
        conditions="설비 발주 계약서 제출",
    )
    Notification.objects.all().delete()
    packet = CoordinationPacket.objects.get(kind=PacketKind.DECISION)

    coordination.packet_deliver(packet_id=packet.pk)
    send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))

    assert _rows() == [
        ("decision", "applicant@example.kr", "sent"),
        ("decision", "keit@example.kr", "sent"),
    ]
    korean, english = mail.outbox[0].body.split(core_outbox.MAIL_LANGUAGE_SEPARATOR)
    assert "Approve with conditions" in english
    assert "Ultra-low-rate loans" in english
    assert "KRW 40 billion" in english
    assert "설비 발주 계약서 제출" in korean
    assert "설비 발주 계약서 제출" in english
    assert "The fund's decision: 두산 휴머노이드 라인" in mail.outbox[0].subject


def test_a_released_commitment_mails_the_applicant_firm_and_keit_with_the_reason(keit, kdb, firm):
    ApplicantFactory(firm=firm, username="applicant")
    proposal = in_review(submitted_proposal(firm=firm, title="두산 휴머노이드 라인"), keit=keit)
    for stage in STAGES_TO_COUNCIL:
        pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage=stage)
    pipeline.proposal_decide(
        proposal_id=proposal.pk,
        actor=kdb,
        decision="approved",
        channel="loan",
        amount_krw=40_000_000_000,
    )
    pipeline.proposal_release_commitment(
        proposal_id=proposal.pk, actor=kdb, amount_krw=15_000_000_000, reason="사업 규모 축소 의결"
    )
    Notification.objects.all().delete()
    packet = CoordinationPacket.objects.filter(kind=PacketKind.DECISION).latest("sequence")

    coordination.packet_deliver(packet_id=packet.pk)
    send_notifications.run(list(Notification.objects.values_list("pk", flat=True)))

    assert _rows() == [
        ("decision", "applicant@example.kr", "sent"),
        ("decision", "keit@example.kr", "sent"),
    ]
    korean, english = mail.outbox[0].body.split(core_outbox.MAIL_LANGUAGE_SEPARATOR)
    assert "has been released" in english
    assert "Released amount: KRW 15 billion" in english
    assert "Amount still committed: KRW 25 billion" in english
    assert "사업 규모 축소 의결" in korean
    assert "사업 규모 축소 의결" in english


def test_status_packets_other_than_questions_and_decisions_mail_nobody(keit, kdb):
    proposal = in_review(submitted_proposal(), keit=keit)
    Notification.objects.all().delete()
    pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage="prescreen")

    for packet in CoordinationPacket.objects.filter(direction="kdb_to_keit"):
        coordination.packet_deliver(packet_id=packet.pk)

    assert Notification.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# A real worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_referral_in_and_sends_its_mail(celery_worker, keit, kdb):
    proposal = submitted_proposal()

    coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")

    notification = wait_for(
        lambda: Notification.objects.filter(kind="referral_received", state="sent").first(),
        timeout=30,
    )
    assert (notification.recipient, notification.attempts) == ("kdb@example.kr", 1)
    assert notification.sent_at is not None
    assert Notification.objects.count() == 1


def test_the_outboxs_old_admin_address_leads_to_its_page_in_the_core_app(kdb, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get("/admin/alliance/notification/?state=failed")

    assert response.status_code == 302
    assert response["Location"] == "/admin/core/notification/?state=failed"
    assert client.get(response["Location"]).status_code == 200
