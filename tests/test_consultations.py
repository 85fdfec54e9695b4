"""Consultation requests between member firms and financial institutions (SPEC §3.7): the
services, the pages, and the mail to the applicant (directly and through a real worker)."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from alliance.consultations.services import (
    consultation_cancel,
    consultation_confirm,
    consultation_decline,
    consultation_mail_send,
    consultation_request,
)
from alliance.models import AuditLog, Consultation
from alliance.tasks import send_consultation_mail
from portal.core.errors import TransitionNotAllowed
from portal.core.models import Notification
from portal.core.vocabulary import FirmStatus
from tests.factories import ApplicantFactory, FirmFactory, InstitutionFactory, UserFactory
from tests.outbox_support import deliver_outbox

SEOUL = ZoneInfo("Asia/Seoul")
SITE = "https://fund.example.kr"


@pytest.fixture(autouse=True)
def _english_and_site(settings):
    """Assertions read the English msgids whatever the Korean catalogue holds."""
    settings.SITE_URL = SITE
    with translation.override("en"):
        yield


@pytest.fixture
def bank(db):
    return InstitutionFactory(name="우리은행", name_en="Woori Bank")


def weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 7) -> datetime.datetime:
    """A weekday at least `days_ahead` days from now, at hour:minute Korean time."""
    day = timezone.localtime().date() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SEOUL)


def saturday_at(hour: int) -> datetime.datetime:
    day = timezone.localtime().date() + datetime.timedelta(days=7)
    while day.weekday() != 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SEOUL)


def request_consultation(actor, institution, **overrides) -> Consultation:
    values = {
        "topic": "loan_terms",
        "message": "스마트 공장 설비 자금의 초저리대출 조건을 상담하고 싶습니다.",
        "preferred_slots": [weekday_at(10), weekday_at(14, 30), weekday_at(16, days_ahead=8)],
    }
    values.update(overrides)
    return consultation_request(actor=actor, institution=institution, **values)


def snapshot(consultation: Consultation) -> dict:
    """The stored row and its history size, to show that a refusal changed nothing."""
    row = Consultation.objects.filter(pk=consultation.pk).values().get()
    row["audit_rows"] = AuditLog.objects.filter(
        object_type="consultation", object_id=str(consultation.pk)
    ).count()
    return row


def browser(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def local_input(slot: datetime.datetime) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(slot).strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------------------------------------
# Requesting


@pytest.mark.django_db
def test_an_applicant_requests_a_consultation_with_up_to_three_preferred_times(applicant, bank):
    slots = [weekday_at(10), weekday_at(14, 30), weekday_at(16, days_ahead=8)]

    consultation = request_consultation(applicant, bank, preferred_slots=slots)

    consultation.refresh_from_db()
    assert consultation.firm == applicant.firm
    assert consultation.requested_by == applicant
    assert consultation.institution == bank
    assert consultation.topic == "loan_terms"
    assert consultation.status == "requested"
    assert consultation.preferred_slots == slots
    assert consultation.confirmed_slot is None
    assert consultation.handled_by is None
    entry = AuditLog.objects.get(object_type="consultation", object_id=str(consultation.pk))
    assert (entry.action, entry.actor, entry.firm, entry.to_state) == (
        "consultation.request",
        applicant,
        applicant.firm,
        "requested",
    )


@pytest.mark.django_db
def test_one_preferred_time_is_enough(applicant, bank):
    consultation = request_consultation(applicant, bank, preferred_slots=[weekday_at(9)])

    assert consultation.preferred_slots == [weekday_at(9)]
    assert (consultation.preferred_slot_2, consultation.preferred_slot_3) == (None, None)


@pytest.mark.django_db
def test_the_last_start_of_the_day_is_17_00(applicant, bank):
    consultation = request_consultation(applicant, bank, preferred_slots=[weekday_at(17)])

    assert consultation.preferred_slot_1 == weekday_at(17)


REFUSED_REQUESTS = {
    "past slot": (
        {"preferred_slots": [timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)]},
        "preferred_slots",
        "has already passed; choose a time in the future.",
    ),
    "weekend slot": (
        {"preferred_slots": [weekday_at(10), saturday_at(10)]},
        "preferred_slots",
        "is on a weekend; choose a weekday.",
    ),
    "before opening": (
        {"preferred_slots": [weekday_at(8, 30)]},
        "preferred_slots",
        "is outside consultation hours",
    ),
    "ending after closing": (
        {"preferred_slots": [weekday_at(17, 30)]},
        "preferred_slots",
        "is outside consultation hours",
    ),
    "not on the half hour": (
        {"preferred_slots": [weekday_at(10, 15)]},
        "preferred_slots",
        "choose a time on the hour or the half hour.",
    ),
    "more than three slots": (
        {"preferred_slots": [weekday_at(9), weekday_at(10), weekday_at(11), weekday_at(12)]},
        "preferred_slots",
        "Give at most 3 preferred times.",
    ),
    "no slot": ({"preferred_slots": []}, "preferred_slots", "Give at least one preferred time."),
    "the same slot twice": (
        {"preferred_slots": [weekday_at(10), weekday_at(10)]},
        "preferred_slots",
        "is given twice.",
    ),
    "naive slot": (
        {"preferred_slots": [weekday_at(10).replace(tzinfo=None)]},
        "preferred_slots",
        "Give the time with its time zone.",
    ),
    "empty topic": ({"topic": ""}, "topic", "Choose a topic."),
    "unknown topic": ({"topic": "gossip"}, "topic", "Choose an option from the list."),
    "other topic without a message": (
        {"topic": "other", "message": "  "},
        "message",
        "Tell us what you would like to discuss.",
    ),
    "message too long": ({"message": "가" * 2001}, "message", "At most 2000 characters."),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"), REFUSED_REQUESTS.values(), ids=REFUSED_REQUESTS.keys()
)
def test_a_bad_request_is_refused_on_its_field_and_stores_nothing(
    applicant, bank, overrides, field, message
):
    with pytest.raises(ValidationError) as caught:
        request_consultation(applicant, bank, **overrides)

    assert list(caught.value.message_dict) == [field]
    assert len(caught.value.message_dict[field]) == 1
    assert message in caught.value.message_dict[field][0]
    assert Consultation.objects.count() == 0
    assert AuditLog.objects.filter(object_type="consultation").count() == 0


@pytest.mark.django_db
def test_a_weekend_slot_message_names_the_time(applicant, bank):
    saturday = saturday_at(11)

    with pytest.raises(ValidationError) as caught:
        request_consultation(applicant, bank, preferred_slots=[saturday])

    expected = saturday.strftime("%Y-%m-%d (Sat) 11:00")
    assert caught.value.message_dict == {
        "preferred_slots": [f"{expected} is on a weekend; choose a weekday."]
    }


@pytest.mark.django_db
def test_an_inactive_institution_is_refused(applicant):
    closed = InstitutionFactory(name="휴면은행", is_active=False)

    with pytest.raises(ValidationError) as caught:
        request_consultation(applicant, closed)

    assert caught.value.message_dict == {
        "institution": ["This institution is not taking consultation requests."]
    }
    assert Consultation.objects.count() == 0


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(applicant):
    with pytest.raises(ValidationError) as caught:
        consultation_request(
            actor=applicant, institution=None, topic="", message="", preferred_slots=[]
        )

    assert sorted(caught.value.message_dict) == ["institution", "preferred_slots", "topic"]
    assert Consultation.objects.count() == 0


@pytest.mark.django_db
def test_staff_cannot_request_a_consultation(keit, kdb, bank):
    for user in (keit, kdb):
        with pytest.raises(PermissionDenied):
            request_consultation(user, bank)

    assert Consultation.objects.count() == 0


@pytest.mark.django_db
def test_an_unverified_firm_cannot_request_yet(bank):
    pending = ApplicantFactory(firm=FirmFactory(status=FirmStatus.PENDING))

    with pytest.raises(TransitionNotAllowed):
        request_consultation(pending, bank)

    assert Consultation.objects.count() == 0
    assert AuditLog.objects.filter(object_type="consultation").count() == 0


# ---------------------------------------------------------------------------------------------
# Confirming and declining


@pytest.mark.django_db
def test_fund_staff_confirm_one_preferred_time_and_the_mail_is_queued_after_commit(
    applicant, bank, kdb, django_capture_on_commit_callbacks
):
    consultation = request_consultation(applicant, bank)
    chosen = consultation.preferred_slots[1]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consultation_confirm(
            consultation_id=consultation.pk,
            actor=kdb,
            slot=chosen,
            place="KDB 본점 3층 회의실",
            online_url="https://meet.example.kr/abc",
            staff_note="사업계획서를 지참해 주세요.",
        )

    consultation.refresh_from_db()
    assert consultation.status == "confirmed"
    assert consultation.confirmed_slot == chosen
    assert consultation.place == "KDB 본점 3층 회의실"
    assert consultation.online_url == "https://meet.example.kr/abc"
    assert consultation.staff_note == "사업계획서를 지참해 주세요."
    assert consultation.handled_by == kdb
    assert len(callbacks) == 1
    entry = AuditLog.objects.filter(action="consultation.confirm").get()
    assert (entry.actor, entry.from_state, entry.to_state, entry.data) == (
        kdb,
        "requested",
        "confirmed",
        {"slot": chosen.isoformat()},
    )


@pytest.mark.django_db
def test_alliance_staff_decline_with_a_reason(applicant, bank, keit):
    consultation = request_consultation(applicant, bank)

    consultation_decline(consultation_id=consultation.pk, actor=keit, reason="해당 기관 일정 마감")

    consultation.refresh_from_db()
    assert consultation.status == "declined"
    assert consultation.decline_reason == "해당 기관 일정 마감"
    assert consultation.handled_by == keit
    assert AuditLog.objects.filter(action="consultation.decline", actor=keit).count() == 1


@pytest.mark.django_db
def test_confirming_a_time_the_firm_did_not_propose_changes_nothing(applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    with pytest.raises(ValidationError) as caught:
        consultation_confirm(consultation_id=consultation.pk, actor=kdb, slot=weekday_at(11))

    assert caught.value.message_dict == {"slot": ["Choose one of the times the firm proposed."]}
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_confirming_without_a_time_changes_nothing(applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    with pytest.raises(ValidationError) as caught:
        consultation_confirm(consultation_id=consultation.pk, actor=kdb, slot=None)

    assert list(caught.value.message_dict) == ["slot"]
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_confirming_a_preferred_time_that_has_passed_changes_nothing(applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    past = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    Consultation.objects.filter(pk=consultation.pk).update(preferred_slot_1=past)
    before = snapshot(consultation)

    with pytest.raises(ValidationError) as caught:
        consultation_confirm(consultation_id=consultation.pk, actor=kdb, slot=past)

    assert (
        "has already passed; choose a later time or decline."
        in (caught.value.message_dict["slot"][0])
    )
    assert snapshot(consultation) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("link", "field"),
    [("javascript:alert(1)", "online_url"), ("meet.example.kr", "online_url")],
)
def test_a_link_that_is_not_http_is_refused(applicant, bank, kdb, link, field):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    with pytest.raises(ValidationError) as caught:
        consultation_confirm(
            consultation_id=consultation.pk,
            actor=kdb,
            slot=consultation.preferred_slot_1,
            online_url=link,
        )

    assert caught.value.message_dict == {field: ["Enter a link starting with https:// or http://."]}
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_confirming_twice_is_refused_and_keeps_the_first_answer(applicant, bank, kdb, keit):
    consultation = request_consultation(applicant, bank)
    first, second = consultation.preferred_slots[:2]
    consultation_confirm(consultation_id=consultation.pk, actor=kdb, slot=first)
    before = snapshot(consultation)

    with pytest.raises(TransitionNotAllowed):
        consultation_confirm(consultation_id=consultation.pk, actor=keit, slot=second)

    assert snapshot(consultation) == before
    assert before["confirmed_slot"] == first


@pytest.mark.django_db
def test_a_declined_request_cannot_be_confirmed_and_a_confirmed_one_cannot_be_declined(
    applicant, bank, kdb
):
    declined = request_consultation(applicant, bank)
    consultation_decline(consultation_id=declined.pk, actor=kdb, reason="일정 마감")
    confirmed = request_consultation(applicant, bank)
    consultation_confirm(consultation_id=confirmed.pk, actor=kdb, slot=confirmed.preferred_slot_1)
    before = (snapshot(declined), snapshot(confirmed))

    with pytest.raises(TransitionNotAllowed):
        consultation_confirm(consultation_id=declined.pk, actor=kdb, slot=declined.preferred_slot_1)
    with pytest.raises(TransitionNotAllowed):
        consultation_decline(consultation_id=confirmed.pk, actor=kdb, reason="변경")

    assert (snapshot(declined), snapshot(confirmed)) == before


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_without_a_reason_changes_nothing(applicant, bank, keit, reason):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    with pytest.raises(ValidationError) as caught:
        consultation_decline(consultation_id=consultation.pk, actor=keit, reason=reason)

    assert caught.value.message_dict == {"reason": ["Tell the firm why the request is declined."]}
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_applicants_and_editors_cannot_confirm_or_decline(applicant, bank, editor):
    consultation = request_consultation(applicant, bank)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    before = snapshot(consultation)

    for user in (applicant, editor, superuser):
        with pytest.raises(PermissionDenied):
            consultation_confirm(
                consultation_id=consultation.pk, actor=user, slot=consultation.preferred_slot_1
            )
        with pytest.raises(PermissionDenied):
            consultation_decline(consultation_id=consultation.pk, actor=user, reason="안 됨")

    assert snapshot(consultation) == before


# ---------------------------------------------------------------------------------------------
# Cancelling


@pytest.mark.django_db
@pytest.mark.parametrize("confirm_first", [False, True], ids=["requested", "confirmed"])
def test_the_firm_cancels_a_requested_or_confirmed_consultation(
    applicant, bank, kdb, firm, confirm_first
):
    consultation = request_consultation(applicant, bank)
    if confirm_first:
        consultation_confirm(
            consultation_id=consultation.pk, actor=kdb, slot=consultation.preferred_slot_1
        )
    colleague = ApplicantFactory(firm=firm)

    consultation_cancel(consultation_id=consultation.pk, actor=colleague, note="일정 변경")

    consultation.refresh_from_db()
    assert consultation.status == "cancelled"
    assert consultation.cancelled_at is not None
    entry = AuditLog.objects.filter(action="consultation.cancel").get()
    assert (entry.actor, entry.from_state, entry.note) == (
        colleague,
        "confirmed" if confirm_first else "requested",
        "일정 변경",
    )


@pytest.mark.django_db
def test_a_declined_or_cancelled_request_cannot_be_cancelled(applicant, bank, kdb):
    declined = request_consultation(applicant, bank)
    consultation_decline(consultation_id=declined.pk, actor=kdb, reason="일정 마감")
    cancelled = request_consultation(applicant, bank)
    consultation_cancel(consultation_id=cancelled.pk, actor=applicant)
    before = (snapshot(declined), snapshot(cancelled))

    for consultation in (declined, cancelled):
        with pytest.raises(TransitionNotAllowed):
            consultation_cancel(consultation_id=consultation.pk, actor=applicant)

    assert (snapshot(declined), snapshot(cancelled)) == before


@pytest.mark.django_db
def test_another_firm_and_staff_cannot_cancel(applicant, other_applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    for user in (other_applicant, kdb):
        with pytest.raises(PermissionDenied):
            consultation_cancel(consultation_id=consultation.pk, actor=user)

    assert snapshot(consultation) == before


# ---------------------------------------------------------------------------------------------
# Mail


@pytest.mark.django_db
def test_the_mail_task_tells_the_applicant_the_confirmed_time_once(applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    chosen = consultation.preferred_slot_2
    consultation_confirm(
        consultation_id=consultation.pk,
        actor=kdb,
        slot=chosen,
        place="KDB 본점 3층 회의실",
        online_url="https://meet.example.kr/abc",
    )

    # Written with the confirmation; the task (for messages queued before the outbox) and a
    # second delivery add nothing.
    first = send_consultation_mail(consultation.pk)
    deliver_outbox()
    deliver_outbox()

    assert first == ""
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert message.subject.endswith("Consultation confirmed: 우리은행")
    assert timezone.localtime(chosen).strftime("%Y-%m-%d") in message.body
    assert "KDB 본점 3층 회의실" in message.body
    assert "https://meet.example.kr/abc" in message.body
    assert SITE + reverse("consultation_detail", args=[consultation.pk]) in message.body
    consultation.refresh_from_db()
    assert consultation.mail_sent_kind == "confirmed"
    assert consultation.mail_sent_at is not None


@pytest.mark.django_db
def test_the_mail_task_tells_the_applicant_why_the_request_was_declined(applicant, bank, keit):
    consultation = request_consultation(applicant, bank)
    consultation_decline(consultation_id=consultation.pk, actor=keit, reason="해당 기관 일정 마감")

    assert consultation_mail_send(consultation_id=consultation.pk) == ""
    deliver_outbox()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("Consultation request declined: 우리은행")
    assert "해당 기관 일정 마감" in mail.outbox[0].body


@pytest.mark.django_db
def test_nothing_is_mailed_for_an_open_or_missing_request(applicant, bank):
    consultation = request_consultation(applicant, bank)

    assert send_consultation_mail(consultation.pk) == ""
    assert send_consultation_mail(consultation.pk + 1000) == ""

    assert mail.outbox == []
    consultation.refresh_from_db()
    assert consultation.mail_sent_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_real_worker_mails_the_confirmation(celery_worker, applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)

    consultation_confirm(
        consultation_id=consultation.pk, actor=kdb, slot=consultation.preferred_slot_1
    )

    deadline = time.monotonic() + 30
    sent = Notification.objects.filter(recipient=applicant.email, kind="consultation", state="sent")
    while time.monotonic() < deadline and not sent.exists():
        time.sleep(0.2)
    assert sent.count() == 1, celery_worker.log_tail()
    consultation.refresh_from_db()
    assert consultation.mail_sent_kind == "confirmed"


# ---------------------------------------------------------------------------------------------
# Pages


def request_form_data(institution, **overrides) -> dict:
    data = {
        "institution": str(institution.pk),
        "topic": "channel_fit",
        "message": "어느 채널이 맞는지 상담 부탁드립니다.",
        "preferred_slot_1": local_input(weekday_at(10)),
        "preferred_slot_2": "",
        "preferred_slot_3": local_input(weekday_at(15, days_ahead=9)),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_whole_flow_through_the_pages(applicant, bank, kdb):
    # given: the applicant fills in the form on /consultations/new/
    client = browser(applicant)
    assert client.get(reverse("consultation_new")).status_code == 200

    response = client.post(reverse("consultation_new"), request_form_data(bank))

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    assert consultation.preferred_slots == [weekday_at(10), weekday_at(15, days_ahead=9)]

    # when: the fund secretariat opens it and confirms the second time with a link
    staff = browser(kdb)
    page = staff.get(reverse("consultation_detail", args=[consultation.pk]))
    assert page.status_code == 200
    assert b'data-action="confirm"' in page.content
    assert b'data-action="cancel"' not in page.content
    chosen = timezone.localtime(consultation.preferred_slot_2).isoformat()
    assert f'value="{chosen}"'.encode() in page.content
    response = staff.post(
        reverse("consultation_confirm", args=[consultation.pk]),
        {"slot": chosen, "place": "", "online_url": "https://meet.example.kr/x", "staff_note": ""},
    )
    assert response.status_code == 302

    # then: the applicant sees the confirmed time and may still cancel
    consultation.refresh_from_db()
    assert consultation.status == "confirmed"
    assert consultation.confirmed_slot == weekday_at(15, days_ahead=9)
    page = client.get(reverse("consultation_detail", args=[consultation.pk]))
    assert b"data-confirmation" in page.content
    assert b'href="https://meet.example.kr/x"' in page.content
    assert b'data-action="confirm"' not in page.content
    response = client.post(reverse("consultation_cancel", args=[consultation.pk]), {"note": ""})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "cancelled"
    assert list(
        AuditLog.objects.filter(object_type="consultation").values_list("action", flat=True)
    ) == ["consultation.request", "consultation.confirm", "consultation.cancel"]


@pytest.mark.django_db
def test_a_weekend_time_is_reported_under_its_own_input_and_nothing_is_stored(applicant, bank):
    client = browser(applicant)

    response = client.post(
        reverse("consultation_new"),
        request_form_data(bank, preferred_slot_3=local_input(saturday_at(10))),
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["preferred_slot_3"]
    assert "is on a weekend; choose a weekday." in form.errors["preferred_slot_3"][0]
    assert Consultation.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_topic_and_an_inactive_institution_are_reported_on_their_fields(applicant):
    closed = InstitutionFactory(name="휴면은행", is_active=False)
    client = browser(applicant)

    response = client.post(reverse("consultation_new"), request_form_data(closed, topic=""))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "institution": ["This institution is not taking consultation requests."],
        "topic": ["Choose a topic."],
    }
    assert Consultation.objects.count() == 0


@pytest.mark.django_db
def test_the_form_offers_only_active_institutions(applicant, bank):
    InstitutionFactory(name="휴면은행", is_active=False)

    response = browser(applicant).get(reverse("consultation_list"))

    choices = [
        label for value, label in response.context["form"].fields["institution"].widget.choices
    ]
    assert [str(c) for c in choices] == ["Choose…", "Woori Bank"]


@pytest.mark.django_db
def test_html_in_the_message_is_escaped(applicant, bank, kdb):
    consultation = request_consultation(
        applicant, bank, message='<script>alert("x")</script><b>굵게</b>'
    )

    for user in (applicant, kdb):
        page = browser(user).get(reverse("consultation_detail", args=[consultation.pk]))
        assert b"<script>alert" not in page.content
        assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in page.content


@pytest.mark.django_db
def test_another_firms_request_answers_404_and_cannot_be_cancelled(
    applicant, other_applicant, bank
):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)
    client = browser(other_applicant)

    detail = client.get(reverse("consultation_detail", args=[consultation.pk]))
    cancel = client.post(reverse("consultation_cancel", args=[consultation.pk]), {"note": ""})
    listing = client.get(reverse("consultation_list"))

    assert (detail.status_code, cancel.status_code) == (404, 404)
    assert list(listing.context["page_obj"].object_list) == []
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_staff_cannot_cancel_and_an_applicant_cannot_confirm_through_the_pages(
    applicant, bank, kdb
):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)
    slot = timezone.localtime(consultation.preferred_slot_1).isoformat()

    cancel = browser(kdb).post(reverse("consultation_cancel", args=[consultation.pk]), {})
    confirm = browser(applicant).post(
        reverse("consultation_confirm", args=[consultation.pk]), {"slot": slot}
    )

    assert (cancel.status_code, confirm.status_code) == (302, 302)
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_a_tampered_slot_is_refused_on_the_page_and_changes_nothing(applicant, bank, keit):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)
    client = browser(keit)

    foreign = client.post(
        reverse("consultation_confirm", args=[consultation.pk]),
        {"slot": timezone.localtime(weekday_at(11)).isoformat()},
    )
    garbage = client.post(reverse("consultation_confirm", args=[consultation.pk]), {"slot": "x"})

    assert (foreign.status_code, garbage.status_code) == (400, 400)
    assert foreign.context["confirm_form"].errors == {
        "slot": ["Choose one of the times the firm proposed."]
    }
    assert list(garbage.context["confirm_form"].errors) == ["slot"]
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_declining_without_a_reason_on_the_page_shows_the_error(applicant, bank, kdb):
    consultation = request_consultation(applicant, bank)
    before = snapshot(consultation)

    response = browser(kdb).post(
        reverse("consultation_decline", args=[consultation.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert response.context["decline_form"].errors == {
        "reason": ["Tell the firm why the request is declined."]
    }
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_confirming_twice_on_the_page_says_why_and_changes_nothing(applicant, bank, kdb, keit):
    consultation = request_consultation(applicant, bank)
    consultation_confirm(
        consultation_id=consultation.pk, actor=kdb, slot=consultation.preferred_slot_1
    )
    before = snapshot(consultation)
    slot = timezone.localtime(consultation.preferred_slot_2).isoformat()

    response = browser(keit).post(
        reverse("consultation_confirm", args=[consultation.pk]), {"slot": slot}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Only a request that is still open can be confirmed."
    ]
    assert snapshot(consultation) == before


@pytest.mark.django_db
def test_an_applicant_sees_only_their_firms_requests(applicant, other_applicant, firm, bank):
    own = request_consultation(applicant, bank)
    colleague_own = request_consultation(ApplicantFactory(firm=firm), bank)
    request_consultation(other_applicant, bank)

    response = browser(applicant).get(reverse("consultation_list"))

    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [colleague_own, own]
    assert b"data-consultation-form" in response.content


@pytest.mark.django_db
def test_both_secretariats_see_every_request_and_filter_them(
    applicant, other_applicant, bank, kdb, keit
):
    other_bank = InstitutionFactory(name="하나은행")
    first = request_consultation(applicant, bank)
    second = request_consultation(other_applicant, other_bank)
    consultation_decline(consultation_id=second.pk, actor=kdb, reason="일정 마감")

    for user in (kdb, keit):
        client = browser(user)
        everything = client.get(reverse("consultation_list"))
        declined = client.get(reverse("consultation_list"), {"status": "declined"})
        at_bank = client.get(reverse("consultation_list"), {"institution": str(bank.pk)})
        bad = client.get(reverse("consultation_list"), {"status": "nope", "institution": "x"})

        assert list(everything.context["page_obj"].object_list) == [second, first]
        assert list(declined.context["page_obj"].object_list) == [second]
        assert list(at_bank.context["page_obj"].object_list) == [first]
        assert list(bad.context["page_obj"].object_list) == [second, first]
        assert sorted(bad.context["filter_form"].errors) == ["institution", "status"]
        assert b"data-consultation-form" not in everything.content


@pytest.mark.django_db
def test_staff_list_is_paginated(applicant, bank, kdb):
    for _ in range(26):
        request_consultation(applicant, bank)
    client = browser(kdb)

    first = client.get(reverse("consultation_list"))
    second = client.get(reverse("consultation_list"), {"page": "2"})

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 1


@pytest.mark.django_db
def test_who_may_open_the_pages(client, applicant, bank, kdb, editor):
    consultation = request_consultation(applicant, bank)
    list_url = reverse("consultation_list")

    anonymous = client.get(list_url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    for url in (list_url, reverse("consultation_new")):
        assert browser(editor).get(url).status_code == 404
    assert (
        browser(editor).get(reverse("consultation_detail", args=[consultation.pk])).status_code
        == 404
    )
    assert browser(kdb).get(reverse("consultation_new")).status_code == 404
    assert (
        browser(kdb).post(reverse("consultation_new"), request_form_data(bank)).status_code == 404
    )
    assert Consultation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 6])
def test_the_applicant_list_query_count_is_fixed(applicant, bank, django_assert_num_queries, rows):
    for _ in range(rows):
        request_consultation(applicant, bank)
    client = browser(applicant)

    with django_assert_num_queries(7):
        response = client.get(reverse("consultation_list"))

    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 30])
def test_the_staff_list_query_count_is_fixed(
    applicant, other_applicant, bank, kdb, django_assert_num_queries, rows
):
    for index in range(rows):
        request_consultation(applicant if index % 2 else other_applicant, bank)
    client = browser(kdb)

    # One of them writes the access-log row of the contact persons the page names.
    with django_assert_num_queries(7):
        response = client.get(reverse("consultation_list"), {"status": "requested"})

    assert len(response.context["page_obj"].object_list) == min(rows, 25)


@pytest.mark.django_db
def test_a_pending_firm_sees_why_it_cannot_request_yet(bank):
    pending = ApplicantFactory(firm=FirmFactory(status=FirmStatus.PENDING))
    client = browser(pending)

    page = client.get(reverse("consultation_new"))
    response = client.post(reverse("consultation_new"), request_form_data(bank))

    assert b"data-firm-pending" in page.content
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Your firm must be verified by the alliance secretariat before it can request "
        "consultations."
    ]
    assert Consultation.objects.count() == 0


def test_the_header_links_resolve_to_the_consultation_pages():
    assert reverse("consultation_list") == "/consultations/"
    assert reverse("consultation_new") == "/consultations/new/"
    assert reverse("consultation_detail", args=[7]) == "/consultations/7/"
