"""Events: registration, capacity and waitlist, self-cancel, and the registration mail."""

import datetime
import re
import threading
import time

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliance.models import AuditLog
from fund.site.forms import CONSENT_REQUIRED
from fund.site.models import CancelToken, Event, Registration, RegistrationStatus
from fund.site.services import (
    InvalidCancelToken,
    RegistrationAlreadyCancelled,
    cancel_token_issue,
    event_register,
    registration_cancel_by_token,
)
from fund.site.tasks import send_registration_mail
from portal.core import aggregate_cache
from portal.core.models import Notification
from portal.core.outbox import MAIL_LANGUAGE_SEPARATOR
from tests.outbox_support import deliver_outbox

SITE = "https://fund.example.kr"
CANCEL_LINK = re.compile(re.escape(SITE) + r"(/events/cancel/[A-Za-z0-9_\-]+/)")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _mail_callbacks(callbacks) -> list:
    """The on-commit callbacks besides the public pages' cache invalidation."""
    return [c for c in callbacks if not isinstance(c, aggregate_cache.Bump)]


def make_event(**overrides) -> Event:
    now = timezone.now().replace(second=0, microsecond=0)
    values = {
        "kind": "seminar",
        "title": "국민성장펀드 채널 설명회",
        "description": "네 가지 투자 채널의 지원 조건을 안내합니다.",
        "starts_at": now + datetime.timedelta(days=10),
        "ends_at": now + datetime.timedelta(days=10, hours=2),
        "place": "서울 중구 대한상공회의소 국제회의실",
        "online_url": "",
        "capacity": 2,
        "registration_opens_at": now - datetime.timedelta(days=1),
        "registration_closes_at": now + datetime.timedelta(days=9),
        "published": True,
    }
    values.update(overrides)
    return Event.objects.create(**values)


def register(event, email="kim@example.kr", **overrides) -> Registration:
    values = {
        "name": "김민준",
        "organization": "현대자동차",
        "email": email,
        "phone": "010-1234-5678",
        "consent": True,
    }
    values.update(overrides)
    return event_register(event=event, **values)


def form_data(**overrides) -> dict:
    data = {
        "name": "이서연",
        "organization": "두산로보틱스",
        "email": "lee@example.kr",
        "phone": "010-9876-5432",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def states(event) -> list[tuple[str, str, int | None]]:
    return list(
        Registration.objects.filter(event=event)
        .order_by("id")
        .values_list("email", "status", "waitlist_position")
    )


# ---------------------------------------------------------------------------------------------
# Registration


@pytest.mark.django_db
def test_registration_with_a_free_seat_is_confirmed_and_its_mail_is_queued_on_commit(
    django_capture_on_commit_callbacks,
):
    event = make_event(capacity=2)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = register(event)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.waitlist_position is None
    assert registration.consented_at is not None
    # The mail is written with the registration and handed to the outbox's worker on commit.
    assert list(Notification.objects.values_list("kind", "recipient", "state")) == [
        ("event_registration", registration.email, "pending")
    ]
    assert len(_mail_callbacks(callbacks)) == 1
    assert list(
        AuditLog.objects.filter(object_type="registration").values_list("action", "to_state")
    ) == [("registration.create", "confirmed")]


@pytest.mark.django_db
def test_a_full_event_puts_new_registrations_on_the_waitlist_in_order():
    event = make_event(capacity=1)

    register(event, "a@example.kr")
    register(event, "b@example.kr")
    register(event, "c@example.kr")

    assert states(event) == [
        ("a@example.kr", "confirmed", None),
        ("b@example.kr", "waitlisted", 1),
        ("c@example.kr", "waitlisted", 2),
    ]


@pytest.mark.django_db
def test_the_registration_form_confirms_and_shows_the_outcome(client):
    event = make_event(capacity=5)

    response = client.post(reverse("site:event_detail", args=[event.pk]), form_data())

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("site:event_registered", args=[event.pk])
    assert (registration.name, registration.organization, registration.email) == (
        "이서연",
        "두산로보틱스",
        "lee@example.kr",
    )
    assert registration.phone == "010-9876-5432"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["registration"] == registration
    assert 'data-status="confirmed"' in page.content.decode()


@pytest.mark.django_db
def test_the_outcome_page_shows_nothing_to_a_browser_that_did_not_register(client):
    event = make_event()
    register(event)

    response = client.get(reverse("site:event_registered", args=[event.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("site:event_detail", args=[event.pk])


@pytest.mark.django_db
def test_a_second_registration_with_the_same_email_in_another_case_is_refused_on_email():
    event = make_event(capacity=5)
    register(event, "Kim.MinJun@Example.kr")

    with pytest.raises(ValidationError) as excinfo:
        register(event, "kim.minjun@EXAMPLE.KR", name="다른 사람")

    assert list(excinfo.value.message_dict) == ["email"]
    assert Registration.objects.count() == 1
    assert AuditLog.objects.filter(action="registration.create").count() == 1


@pytest.mark.django_db
def test_the_same_email_may_register_again_after_cancelling():
    event = make_event(capacity=5)
    first = register(event, "kim@example.kr")
    registration_cancel_by_token(token=cancel_token_issue(registration=first))

    again = register(event, "KIM@example.kr")

    assert again.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.filter(event=event).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_two_active_registrations_for_one_email():
    # The partial unique index holds even for code that skips the service.
    event = make_event(capacity=5)
    register(event, "kim@example.kr")
    duplicate = Registration(
        event=event,
        name="x",
        organization="y",
        email="KIM@EXAMPLE.KR",
        phone="010-0000-0000",
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
        consented_at=timezone.now(),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_registration_without_consent_is_refused_on_consent_and_stores_nothing(client):
    event = make_event()

    with pytest.raises(ValidationError) as excinfo:
        register(event, consent=False)
    response = client.post(reverse("site:event_detail", args=[event.pk]), form_data(consent=None))

    assert list(excinfo.value.message_dict) == ["consent"]
    assert response.status_code == 400
    assert response.context["form"].errors == {"consent": [str(CONSENT_REQUIRED)]}
    assert Registration.objects.count() == 0
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "kim@"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "가" * 61}, "name"),
        ({"organization": ""}, "organization"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"consent": "yes"}, "consent"),
    ],
)
def test_bad_registration_input_names_the_field_and_stores_nothing(overrides, field):
    event = make_event()

    with pytest.raises(ValidationError) as excinfo:
        register(event, **overrides)

    assert list(excinfo.value.message_dict) == [field]
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_an_invalid_email_in_the_form_is_shown_on_email_and_stores_nothing(client):
    event = make_event()

    response = client.post(
        reverse("site:event_detail", args=[event.pk]), form_data(email="lee@@example")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["email"]
    assert Registration.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            {"registration_opens_at_days": 1, "registration_closes_at_days": 5},
            "Registration has not opened yet.",
        ),
        (
            {"registration_opens_at_days": -5, "registration_closes_at_days": -1},
            "Registration for this event has closed.",
        ),
    ],
)
def test_registration_outside_its_window_is_refused_and_stores_nothing(client, window, message):
    now = timezone.now()
    event = make_event(
        registration_opens_at=now + datetime.timedelta(days=window["registration_opens_at_days"]),
        registration_closes_at=now + datetime.timedelta(days=window["registration_closes_at_days"]),
    )

    with pytest.raises(ValidationError) as excinfo:
        register(event)
    response = client.post(reverse("site:event_detail", args=[event.pk]), form_data())

    assert excinfo.value.message_dict == {"__all__": [_(message)]}
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [_(message)]
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_registration_for_a_past_event_is_refused():
    now = timezone.now()
    event = make_event(
        starts_at=now - datetime.timedelta(days=3),
        ends_at=now - datetime.timedelta(days=3) + datetime.timedelta(hours=2),
        registration_opens_at=now - datetime.timedelta(days=10),
        registration_closes_at=now - datetime.timedelta(days=4),
    )

    with pytest.raises(ValidationError) as excinfo:
        register(event)

    assert excinfo.value.message_dict == {"__all__": [_("This event has already taken place.")]}
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_an_unpublished_event_cannot_be_seen_or_registered_for(client):
    event = make_event(published=False)

    with pytest.raises(ValidationError) as excinfo:
        register(event)
    page = client.get(reverse("site:event_detail", args=[event.pk]))
    post = client.post(reverse("site:event_detail", args=[event.pk]), form_data())

    assert list(excinfo.value.message_dict) == ["__all__"]
    assert (page.status_code, post.status_code) == (404, 404)
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_script_in_a_name_is_stored_as_text_and_shown_escaped(client, editor):
    event = make_event()
    name = "<script>alert('x')</script>"

    client.post(reverse("site:event_detail", args=[event.pk]), form_data(name=name))
    outcome = client.get(reverse("site:event_registered", args=[event.pk])).content.decode()
    client.force_login(editor)
    listing = client.get(reverse("site:editor_registrations", args=[event.pk])).content.decode()

    assert Registration.objects.get().name == name
    for html in (outcome, listing):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_confirm_more_than_the_capacity():
    event = make_event(capacity=5)
    barrier = threading.Barrier(12)
    errors: list[Exception] = []

    def sign_up(n: int):
        try:
            barrier.wait()
            register(event, f"person{n}@example.kr", name=f"참가자 {n}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 5
    waitlisted = registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("id")
    # FIFO: positions follow the order in which the rows were created under the lock.
    assert list(waitlisted.values_list("waitlist_position", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


# ---------------------------------------------------------------------------------------------
# Cancelling


@pytest.mark.django_db
def test_cancel_page_asks_first_and_changes_nothing_on_get(client):
    event = make_event(capacity=1)
    registration = register(event)
    token = cancel_token_issue(registration=registration)

    response = client.get(reverse("site:registration_cancel", args=[token]))

    assert response.status_code == 200
    assert response.context["registration"] == registration
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_self_cancel_confirms_the_first_on_the_waitlist_and_renumbers_the_rest(
    client, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    first = register(event, "a@example.kr")
    second = register(event, "b@example.kr")
    register(event, "c@example.kr")
    token = cancel_token_issue(registration=first)
    before = list(Notification.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("site:registration_cancel", args=[token]))

    assert response.status_code == 302
    assert states(event) == [
        ("a@example.kr", "cancelled", None),
        ("b@example.kr", "confirmed", None),
        ("c@example.kr", "waitlisted", 1),
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cancelled_at is not None
    assert second.promoted_at is not None
    # The promoted person and the canceller are each mailed: written with the change, sent
    # by the outbox's worker after commit.
    assert sorted(
        Notification.objects.filter(state="pending", subject__contains="국민성장펀드 채널")
        .exclude(pk__in=before)
        .values_list("recipient", flat=True)
    ) == ["a@example.kr", "b@example.kr"]
    assert len(_mail_callbacks(callbacks)) == 2
    assert list(
        AuditLog.objects.filter(action__in=["registration.cancel", "registration.promote"])
        .order_by("id")
        .values_list("action", "object_id", "from_state", "to_state")
    ) == [
        ("registration.cancel", str(first.pk), "confirmed", "cancelled"),
        ("registration.promote", str(second.pk), "waitlisted", "confirmed"),
    ]


@pytest.mark.django_db
def test_cancelling_a_waitlisted_registration_closes_the_gap():
    event = make_event(capacity=1)
    register(event, "a@example.kr")
    register(event, "b@example.kr")
    middle = register(event, "c@example.kr")
    register(event, "d@example.kr")

    registration_cancel_by_token(token=cancel_token_issue(registration=middle))

    assert states(event) == [
        ("a@example.kr", "confirmed", None),
        ("b@example.kr", "waitlisted", 1),
        ("c@example.kr", "cancelled", None),
        ("d@example.kr", "waitlisted", 2),
    ]


@pytest.mark.django_db
def test_a_wrong_token_answers_404_and_changes_nothing(client):
    event = make_event(capacity=1)
    registration = register(event)
    cancel_token_issue(registration=registration)

    get = client.get(reverse("site:registration_cancel", args=["not-a-real-token"]))
    post = client.post(reverse("site:registration_cancel", args=["not-a-real-token"]))

    assert (get.status_code, post.status_code) == (404, 404)
    assert post.context["error"] == InvalidCancelToken().message
    with pytest.raises(InvalidCancelToken):
        registration_cancel_by_token(token="x" * 43)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert AuditLog.objects.filter(action="registration.cancel").count() == 0


@pytest.mark.django_db
def test_a_used_token_says_so_and_changes_nothing(client):
    event = make_event(capacity=1)
    first = register(event, "a@example.kr")
    register(event, "b@example.kr")
    register(event, "c@example.kr")
    token = cancel_token_issue(registration=first)
    client.post(reverse("site:registration_cancel", args=[token]))
    before = states(event)

    again = client.post(reverse("site:registration_cancel", args=[token]))
    page = client.get(reverse("site:registration_cancel", args=[token]))

    assert again.status_code == 409
    assert again.context["error"] == RegistrationAlreadyCancelled(first).message
    assert page.status_code == 200
    assert 'data-status="cancelled"' in page.content.decode()
    assert states(event) == before
    assert AuditLog.objects.filter(action="registration.cancel").count() == 1
    assert AuditLog.objects.filter(action="registration.promote").count() == 1


@pytest.mark.django_db
def test_registrations_of_an_ended_event_cannot_be_cancelled(client):
    event = make_event(capacity=1)
    registration = register(event)
    token = cancel_token_issue(registration=registration)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=1),
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=now - datetime.timedelta(days=1),
    )

    response = client.post(reverse("site:registration_cancel", args=[token]))

    assert response.status_code == 409
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


# ---------------------------------------------------------------------------------------------
# Mail


def _only_mail():
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def _calendar(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert mimetype == "text/calendar"
    return filename, icalendar.Calendar.from_ical(content)


@pytest.mark.django_db
def test_the_confirmation_mail_carries_an_ics_file_and_a_working_cancel_link(client):
    event = make_event(capacity=1, online_url="https://meet.example.kr/max-fund")
    registration = register(event, "kim@example.kr")

    deliver_outbox()

    message = _only_mail()
    assert message.to == ["kim@example.kr"]
    assert "국민성장펀드 채널 설명회" in message.subject
    filename, calendar = _calendar(message)
    assert filename == f"event-{event.pk}.ics"
    assert str(calendar["METHOD"]) == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "국민성장펀드 채널 설명회"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert vevent["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert str(vevent["UID"]) == f"event-{event.pk}@fund.example.kr"
    assert str(vevent["URL"]) == f"{SITE}/events/{event.pk}/"
    assert str(vevent["LOCATION"]) == (
        "서울 중구 대한상공회의소 국제회의실 / https://meet.example.kr/max-fund"
    )
    # The link is absolute, built from SITE_URL, and cancels this registration (it appears
    # once in each language).
    (path,) = set(CANCEL_LINK.findall(message.body))
    assert client.post(path).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    # The cancellation's own notice is the last mail handed to the outbox.
    assert registration.mail_sent_kind == "cancelled"
    assert registration.mail_sent_at is not None


@pytest.mark.django_db
def test_the_mail_is_sent_once_per_state_even_if_the_task_runs_twice():
    event = make_event(capacity=1)
    registration = register(event)

    # Written once with the registration; the task (for messages queued before the outbox)
    # and a second delivery add nothing.
    results = [send_registration_mail.run(registration.pk) for _ in range(2)]
    deliver_outbox()
    deliver_outbox()

    assert results == ["", ""]
    assert len(mail.outbox) == 1
    assert CancelToken.objects.filter(registration=registration).count() == 1


@pytest.mark.django_db
def test_waitlisted_then_promoted_people_get_a_waitlist_notice_then_a_promotion_notice():
    event = make_event(capacity=1)
    first = register(event, "a@example.kr")
    second = register(event, "b@example.kr")
    deliver_outbox()
    waitlist_mail = mail.outbox[1]
    old_link = CANCEL_LINK.findall(waitlist_mail.body)[0]

    registration_cancel_by_token(token=cancel_token_issue(registration=first))
    deliver_outbox()

    second.refresh_from_db()
    assert second.mail_sent_kind == "promoted"
    # a@ confirmed, b@ waitlisted; then b@ promoted and a@ told of the cancellation
    assert [m.to for m in mail.outbox] == [
        ["a@example.kr"],
        ["b@example.kr"],
        ["b@example.kr"],
        ["a@example.kr"],
    ]
    promotion = mail.outbox[2]
    assert promotion.to == ["b@example.kr"]
    assert len(promotion.attachments) == 1
    assert "(no. 1)" in waitlist_mail.subject
    assert waitlist_mail.subject != promotion.subject
    # The link in the earlier mail still works: each mail's token stays valid.
    assert old_link.split("/")[-2] != CANCEL_LINK.findall(promotion.body)[0].split("/")[-2]
    registration_cancel_by_token(token=old_link.split("/")[-2])
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CANCELLED


@pytest.mark.django_db
def test_the_mail_task_for_a_missing_registration_does_nothing():
    assert send_registration_mail.run(987654) == ""
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_mail_is_in_korean_and_english():
    event = make_event()
    register(event)

    deliver_outbox()

    korean, english = _only_mail().body.split(MAIL_LANGUAGE_SEPARATOR)
    with translation.override("ko"):
        confirmed_ko = _("Your registration for “%(title)s” is confirmed.")
    assert confirmed_ko % {"title": "국민성장펀드 채널 설명회"} in korean
    assert "Your registration for “국민성장펀드 채널 설명회” is confirmed." in english
    assert f"{SITE}/events/{event.pk}/" in korean
    assert f"{SITE}/events/{event.pk}/" in english


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_real_worker_sends_the_registration_mail(celery_worker):
    event = make_event(capacity=1)

    registration = register(event, "worker@example.kr")

    deadline = time.monotonic() + 30
    sent = Notification.objects.filter(recipient="worker@example.kr", state="sent")
    while time.monotonic() < deadline and not sent.exists():
        time.sleep(0.2)
    assert sent.count() == 1, celery_worker.log_tail()
    registration.refresh_from_db()
    assert registration.mail_sent_kind == "confirmed"
    assert CancelToken.objects.filter(registration=registration).count() == 1
