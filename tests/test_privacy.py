"""Personal data of event registrants and consultation contacts: kept only for the retention
period, shown masked to staff until a record is opened, every view, opening, export and
erasure in the access log (read-only in the admin), and the privacy policy page."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from alliance.consultations.services import consultation_request
from alliance.models import Consultation
from fund.site.models import CancelToken, Event, Registration
from fund.site.selectors import registration_by_cancel_token
from fund.site.services import cancel_token_issue, event_register, registrations_erase_expired
from portal.core import privacy
from portal.core.models import (
    Notification,
    PersonalDataAccess,
    PersonalDataAccessImmutable,
)
from portal.core.queue import periodic_tasks, task
from portal.core.tasks import erase_expired_personal_data
from tests.factories import ApplicantFactory, FirmFactory, InstitutionFactory, UserFactory
from tests.test_layout import elements
from tests.test_settings import import_production, last_line

DAY = datetime.timedelta(days=1)


def browser(user=None, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def make_event(title: str = "국민성장펀드 설명회") -> Event:
    """A published event open for registration (`end_event` moves it into the past once people
    have registered: registration itself only takes an open event)."""
    now = timezone.now()
    return Event.objects.create(
        kind="seminar",
        title=title,
        description="설명",
        starts_at=now + 20 * DAY,
        ends_at=now + 20 * DAY + datetime.timedelta(hours=2),
        place="서울 여의도",
        capacity=50,
        registration_opens_at=now - DAY,
        registration_closes_at=now + 19 * DAY,
        published=True,
    )


def end_event(event: Event, *, days_ago: float) -> None:
    ends = timezone.now() - datetime.timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=ends - 10 * DAY,
        registration_closes_at=ends - 3 * DAY,
        starts_at=ends - datetime.timedelta(hours=2),
        ends_at=ends,
    )


def register(event: Event, email: str, **overrides) -> Registration:
    values = {
        "name": "홍길동",
        "organization": "현대자동차",
        "email": email,
        "phone": "010-1234-5678",
        "consent": True,
    }
    values.update(overrides)
    return event_register(event=event, **values)


def personal(registration: Registration) -> tuple:
    registration.refresh_from_db()
    return (
        registration.name,
        registration.organization,
        registration.email,
        registration.phone,
        registration.status,
    )


def next_weekday_at(hour: int) -> datetime.datetime:
    day = timezone.localtime() + 7 * DAY
    while day.weekday() >= 5:
        day += DAY
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def consultation_of(applicant, bank, message: str = "대출 조건 상담") -> Consultation:
    return consultation_request(
        actor=applicant,
        institution=bank,
        topic="loan_terms",
        message=message,
        preferred_slots=[next_weekday_at(10)],
    )


def close(consultation: Consultation, status: str, *, days_ago: float) -> None:
    """Move a request to a closed state that happened `days_ago` (a confirmed one was held
    then: its hour ended that long ago)."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    rows = Consultation.objects.filter(pk=consultation.pk)
    if status == "declined":
        rows.update(status="declined", decline_reason="일정 불가", handled_at=when)
    elif status == "cancelled":
        rows.update(status="cancelled", cancelled_at=when)
    else:
        held = when - datetime.timedelta(hours=1)
        rows.update(status="confirmed", preferred_slot_1=held, confirmed_slot=held, handled_at=when)


def access_rows() -> list[tuple]:
    return list(
        PersonalDataAccess.objects.order_by("pk").values_list(
            "actor_username", "action", "kind", "record_ids", "row_count"
        )
    )


@pytest.fixture
def bank(db):
    return InstitutionFactory(name="우리은행")


@pytest.fixture
def contact(db):
    """An applicant with a name and a phone number: the contact person of their requests."""
    return ApplicantFactory(
        firm=FirmFactory(name="현대자동차"),
        username="hong",
        first_name="길동",
        last_name="홍",
        email="hong@hyundai.example.kr",
        phone="010-9876-5432",
    )


# ---------------------------------------------------------------------------------------------
# Masking


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hong@example.com", "h***@example.com"),
        ("a@example.kr", "a***@example.kr"),
        ("Kim.Minjun+events@hyundai.co.kr", "K***@hyundai.co.kr"),
        ("", ""),
        (None, ""),
        ("not-an-address", "***"),
    ],
)
def test_an_email_address_keeps_its_first_letter_and_domain(value, expected):
    assert privacy.mask_email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010****5678"),
        ("+82 10 5555 0000", "+82 ** **** 0000"),
        ("02-123-4567", "02-***-4567"),
        ("(02) 123-4567", "(**) ***-4567"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_phone_number_keeps_its_first_group_and_last_four_digits(value, expected):
    assert privacy.mask_phone(value) == expected


# ---------------------------------------------------------------------------------------------
# Retention: the scheduled erasure


def test_the_erasure_runs_every_night_from_the_beat_schedule():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.erase_expired_personal_data"
    ]

    assert len(entries) == 1
    assert (entries[0]["schedule"].hour, entries[0]["schedule"].minute) == ({3}, {30})
    assert "core.erase_expired_personal_data" in periodic_tasks()
    assert task("core.erase_expired_personal_data").run is erase_expired_personal_data.run
    assert settings.PERSONAL_DATA_RETENTION_DAYS == 30


@pytest.mark.django_db
def test_registrations_of_events_over_for_longer_than_the_period_are_erased_and_logged():
    # given an event that ended 31 days ago, one that ended 29 days ago and one to come
    old = make_event("지난 설명회")
    confirmed = [register(old, "kim@example.kr"), register(old, "lee@example.kr")]
    cancelled = register(old, "park@example.kr")
    token = cancel_token_issue(registration=cancelled)
    Registration.objects.filter(pk=cancelled.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )
    end_event(old, days_ago=31)
    recent = make_event("최근 설명회")
    recent_one = register(recent, "choi@example.kr")
    end_event(recent, days_ago=29)
    upcoming = register(make_event("다음 설명회"), "jung@example.kr")
    recent_before, upcoming_before = personal(recent_one), personal(upcoming)
    erased_ids = sorted([confirmed[0].pk, confirmed[1].pk, cancelled.pk])

    # when the nightly task runs
    result = erase_expired_personal_data()

    # then the old event's registrants are blank (two active rows with no address left do not
    # collide), their rows kept for the counts
    assert result == {"consultation": 0, "registration": 3}
    assert [personal(r) for r in (*confirmed, cancelled)] == [
        ("", "", "", "", "confirmed"),
        ("", "", "", "", "confirmed"),
        ("", "", "", "", "cancelled"),
    ]
    assert Registration.objects.filter(pk__in=erased_ids, erased_at__isnull=False).count() == 3
    # their self-cancel links and the mail sent to them are gone too
    assert CancelToken.objects.filter(registration_id__in=erased_ids).count() == 0
    assert registration_by_cancel_token(token) is None
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == [
        "choi@example.kr",
        "jung@example.kr",
    ]
    # the younger data stays as it was
    assert (personal(recent_one), personal(upcoming)) == (recent_before, upcoming_before)
    assert Registration.objects.filter(erased_at__isnull=True).count() == 2
    # and the erasure is logged: which rows of which kind, by the system
    (entry,) = PersonalDataAccess.objects.all()
    assert (entry.actor, entry.actor_username, entry.action, entry.kind) == (
        None,
        "",
        "erase",
        "registration",
    )
    assert (entry.record_ids, entry.row_count) == (erased_ids, 3)
    assert abs(entry.created_at - timezone.now()) < datetime.timedelta(seconds=30)


@pytest.mark.django_db
def test_consultation_contacts_are_erased_once_closed_for_longer_than_the_period(contact, bank):
    # given closed requests of 31 days ago, closed ones of 29 days ago and open ones
    declined_old = consultation_of(contact, bank)
    cancelled_old = consultation_of(contact, bank)
    held_old = consultation_of(contact, bank)
    declined_recent = consultation_of(contact, bank)
    held_recent = consultation_of(contact, bank)
    open_old = consultation_of(contact, bank)
    confirmed_to_come = consultation_of(contact, bank)
    close(declined_old, "declined", days_ago=31)
    close(cancelled_old, "cancelled", days_ago=31)
    close(held_old, "confirmed", days_ago=31)
    close(declined_recent, "declined", days_ago=29)
    close(held_recent, "confirmed", days_ago=29)
    Consultation.objects.filter(pk=open_old.pk).update(created_at=timezone.now() - 400 * DAY)
    Consultation.objects.filter(pk=confirmed_to_come.pk).update(
        status="confirmed", confirmed_slot=confirmed_to_come.preferred_slot_1
    )

    # when the nightly task runs
    result = erase_expired_personal_data()

    # then the old closed requests no longer name their contact person or hold the message
    erased = sorted([declined_old.pk, cancelled_old.pk, held_old.pk])
    assert result == {"consultation": 3, "registration": 0}
    assert Consultation.objects.filter(pk__in=erased, erased_at__isnull=False).count() == 3
    assert list(
        Consultation.objects.filter(pk__in=erased)
        .order_by("pk")
        .values_list("status", "requested_by", "message")
    ) == [
        ("declined", None, ""),
        ("cancelled", None, ""),
        ("confirmed", None, ""),
    ]
    # and the younger ones and the open ones keep theirs
    assert (
        list(
            Consultation.objects.exclude(pk__in=erased)
            .order_by("pk")
            .values_list("requested_by__username", "message", "erased_at")
        )
        == [("hong", "대출 조건 상담", None)] * 4
    )
    assert access_rows() == [("", "erase", "consultation", erased, 3)]


@pytest.mark.django_db
def test_the_period_follows_the_setting(settings, contact, bank):
    settings.PERSONAL_DATA_RETENTION_DAYS = 7
    week_old = make_event("지난주 행사")
    old_one = register(week_old, "kim@example.kr")
    end_event(week_old, days_ago=8)
    days_old = make_event("며칠 전 행사")
    young_one = register(days_old, "lee@example.kr")
    end_event(days_old, days_ago=6)
    declined = consultation_of(contact, bank)
    close(declined, "declined", days_ago=8)

    result = erase_expired_personal_data()

    assert result == {"consultation": 1, "registration": 1}
    assert personal(old_one)[:4] == ("", "", "", "")
    assert personal(young_one)[:4] == ("홍길동", "현대자동차", "lee@example.kr", "010-1234-5678")


@pytest.mark.django_db
def test_a_second_run_erases_and_logs_nothing_more(contact, bank):
    event = make_event()
    register(event, "kim@example.kr")
    end_event(event, days_ago=40)
    close(consultation_of(contact, bank), "cancelled", days_ago=40)
    first = erase_expired_personal_data()
    log = access_rows()

    second = erase_expired_personal_data()

    assert first == {"consultation": 1, "registration": 1}
    assert second == {"consultation": 0, "registration": 0}
    assert access_rows() == log
    assert len(log) == 2


@pytest.mark.django_db
def test_the_erasure_works_in_batches_each_with_its_log_row():
    event = make_event()
    ids = [register(event, f"p{n}@example.kr").pk for n in range(5)]
    end_event(event, days_ago=31)

    erased = registrations_erase_expired(cutoff=privacy.retention_cutoff(), batch_size=2)

    assert erased == 5
    assert [row[3] for row in access_rows()] == [ids[0:2], ids[2:4], ids[4:5]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_real_worker_runs_the_erasure_by_its_name(celery_worker):
    event = make_event()
    registration = register(event, "kim@example.kr")
    end_event(event, days_ago=31)

    task("core.erase_expired_personal_data").delay()

    deadline = time.monotonic() + 30
    erased = Registration.objects.filter(pk=registration.pk, erased_at__isnull=False)
    while time.monotonic() < deadline and not erased.exists():
        time.sleep(0.2)
    assert erased.exists(), celery_worker.log_tail()
    assert personal(registration)[:4] == ("", "", "", "")
    assert access_rows() == [("", "erase", "registration", [registration.pk], 1)]


def test_a_retention_period_below_one_day_is_refused():
    result = import_production(PERSONAL_DATA_RETENTION_DAYS="0")

    assert result.returncode == 1
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: PERSONAL_DATA_RETENTION_DAYS must be a "
        "whole number of days, at least 1 / PERSONAL_DATA_RETENTION_DAYS는 1 이상의 일수여야 "
        "합니다."
    )


# ---------------------------------------------------------------------------------------------
# Masking on the staff pages, and the access log of views, openings and exports


def contact_block(html, prefix: str, pk: int) -> dict:
    (block,) = elements(html, "div", id=f"{prefix}-{pk}")
    return block


@pytest.mark.django_db
def test_the_registrant_list_masks_contacts_and_logs_the_rows_shown(editor):
    event = make_event()
    first = register(event, "kim@example.kr")
    second = register(event, "lee@example.kr", phone="+82 10 5555 0000")

    response = browser(editor).get(reverse("site:editor_registrations", args=[event.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert contact_block(html, "registration-contact", first.pk)["text"] == (
        "k***@example.kr 010-****-5678 Show contact details"
    )
    assert contact_block(html, "registration-contact", second.pk)["text"] == (
        "l***@example.kr +82 ** **** 0000 Show contact details"
    )
    assert "kim@example.kr" not in html and "5555" not in html
    (entry,) = PersonalDataAccess.objects.all()
    assert (entry.actor, entry.action, entry.kind, entry.record_ids, entry.row_count) == (
        editor,
        "view",
        "registration",
        [first.pk, second.pk],
        2,
    )
    assert (entry.path, entry.data) == (
        reverse("site:editor_registrations", args=[event.pk]),
        {"event": event.pk},
    )


@pytest.mark.django_db
def test_an_editor_opens_one_registrant_with_htmx_and_the_opening_is_logged(editor):
    event = make_event()
    registration = register(event, "kim@example.kr")
    register(event, "lee@example.kr")
    url = reverse("site:editor_registration_contact", args=[registration.pk])

    response = browser(editor).post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.templates[0].name == "partials/personal_contact.html"
    block = contact_block(response.content, "registration-contact", registration.pk)
    assert (block["attrs"]["data-contact"], block["text"]) == (
        "revealed",
        "kim@example.kr 010-1234-5678",
    )
    assert "lee@example.kr" not in response.content.decode()
    assert access_rows() == [("editor", "reveal", "registration", [registration.pk], 1)]
    assert PersonalDataAccess.objects.get().data == {"event": event.pk}


@pytest.mark.django_db
def test_without_htmx_the_opening_answers_a_page_with_the_contact(editor):
    event = make_event()
    registration = register(event, "kim@example.kr")

    response = browser(editor).post(
        reverse("site:editor_registration_contact", args=[registration.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert contact_block(html, "registration-contact", registration.pk)["text"] == (
        "kim@example.kr 010-1234-5678"
    )
    assert elements(html, "dd")[0]["text"] == "홍길동"
    assert reverse("site:editor_registrations", args=[event.pk]) in html
    assert access_rows() == [("editor", "reveal", "registration", [registration.pk], 1)]


@pytest.mark.django_db
def test_an_erased_registration_has_nothing_to_open_and_logs_nothing(editor):
    event = make_event()
    registration = register(event, "kim@example.kr")
    end_event(event, days_ago=31)
    erase_expired_personal_data()
    before = access_rows()

    listing = browser(editor).get(reverse("site:editor_registrations", args=[event.pk]))
    opened = browser(editor).post(
        reverse("site:editor_registration_contact", args=[registration.pk]),
        headers={"HX-Request": "true"},
    )

    assert contact_block(listing.content, "registration-contact", registration.pk)["text"] == (
        "Erased after the retention period"
    )
    assert (
        contact_block(opened.content, "registration-contact", registration.pk)["attrs"][
            "data-contact"
        ]
        == "erased"
    )
    assert access_rows() == before


@pytest.mark.django_db
def test_the_export_is_logged_with_its_row_count_and_whose_rows(editor):
    event = make_event()
    confirmed = [register(event, f"p{n}@example.kr") for n in range(3)]
    Registration.objects.filter(pk=confirmed[2].pk).update(status="cancelled")

    response = browser(editor).get(
        reverse("site:editor_registrations_csv", args=[event.pk]), {"status": "confirmed"}
    )

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert body.count("\r\n") == 3
    assert "p0@example.kr" not in body and "p***@example.kr" in body
    (entry,) = PersonalDataAccess.objects.all()
    assert (entry.actor, entry.action, entry.kind, entry.record_ids, entry.row_count) == (
        editor,
        "export",
        "registration",
        [confirmed[0].pk, confirmed[1].pk],
        2,
    )
    assert entry.data == {"event": event.pk, "status": "confirmed"}


@pytest.mark.django_db
def test_the_secretariats_list_masks_contact_persons_and_logs_the_page(contact, bank, keit):
    first = consultation_of(contact, bank)
    second = consultation_of(contact, bank)

    response = browser(keit).get(reverse("consultation_list"))

    html = response.content.decode()
    assert contact_block(html, "consultation-contact", first.pk)["text"] == (
        "h***@hyundai.example.kr 010-****-5432 Show contact details"
    )
    assert "hong@hyundai" not in html and "9876" not in html
    assert access_rows() == [("keit", "view", "consultation", [second.pk, first.pk], 2)]


@pytest.mark.django_db
def test_the_consultation_page_masks_the_contact_until_the_secretariat_opens_it(contact, bank, kdb):
    consultation = consultation_of(contact, bank)
    client = browser(kdb)

    page = client.get(reverse("consultation_detail", args=[consultation.pk]))
    opened = client.post(
        reverse("consultation_contact", args=[consultation.pk]), headers={"HX-Request": "true"}
    )

    assert contact_block(page.content, "consultation-contact", consultation.pk)["text"] == (
        "h***@hyundai.example.kr 010-****-5432 Show contact details"
    )
    assert "hong@hyundai" not in page.content.decode()
    assert contact_block(opened.content, "consultation-contact", consultation.pk)["text"] == (
        "hong@hyundai.example.kr 010-9876-5432"
    )
    assert access_rows() == [
        ("kdb", "view", "consultation", [consultation.pk], 1),
        ("kdb", "reveal", "consultation", [consultation.pk], 1),
    ]
    reveal = PersonalDataAccess.objects.get(action="reveal")
    assert (reveal.actor, reveal.path) == (
        kdb,
        reverse("consultation_contact", args=[consultation.pk]),
    )


@pytest.mark.django_db
def test_the_firms_own_applicant_is_not_logged_and_cannot_open_the_reveal(contact, bank):
    consultation = consultation_of(contact, bank)
    client = browser(contact)

    listing = client.get(reverse("consultation_list"))
    page = client.get(reverse("consultation_detail", args=[consultation.pk]))
    opened = client.post(reverse("consultation_contact", args=[consultation.pk]))

    assert (listing.status_code, page.status_code, opened.status_code) == (200, 200, 404)
    assert elements(page.content, "div", class_="portal-contact") == []
    assert access_rows() == []


@pytest.mark.django_db
def test_an_erased_consultation_says_so_to_the_secretariat(contact, bank, keit):
    consultation = consultation_of(contact, bank)
    close(consultation, "declined", days_ago=31)
    erase_expired_personal_data()
    before = access_rows()

    page = browser(keit).get(reverse("consultation_detail", args=[consultation.pk]))

    assert contact_block(page.content, "consultation-contact", consultation.pk)["text"] == (
        "Erased after the retention period"
    )
    (note,) = elements(page.content, "p", data_part="erased")
    assert note["text"].startswith("The contact person and the message were erased on ")
    assert access_rows() == before


@pytest.mark.django_db
def test_the_admin_registration_list_masks_and_opening_one_is_logged(editor):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    registration = register(make_event(), "kim@example.kr")
    client = browser(root)

    listing = client.get(reverse("admin:fund_registration_changelist"))
    opened = client.get(reverse("admin:fund_registration_change", args=[registration.pk]))

    assert "k***@example.kr" in listing.content.decode()
    assert "kim@example.kr" not in listing.content.decode()
    assert opened.status_code == 200
    assert access_rows() == [("root", "view", "registration", [registration.pk], 1)]


# ---------------------------------------------------------------------------------------------
# The access log is read-only


@pytest.mark.django_db
def test_the_admin_shows_the_access_log_read_only():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    row = privacy.access_record(
        actor=root, action="reveal", kind="registration", record_ids=[41], path="/x/"
    )
    erase = privacy.access_record(
        actor=None, action="erase", kind="consultation", record_ids=[7, 41]
    )
    privacy.access_record(actor=root, action="view", kind="registration", record_ids=[5])
    client = browser(root)
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site._registry[PersonalDataAccess]
    before = access_rows()

    listing = client.get(reverse("admin:core_personaldataaccess_changelist"))
    found = client.get(reverse("admin:core_personaldataaccess_changelist"), {"q": "41"})
    answers = [
        client.get(reverse("admin:core_personaldataaccess_add")).status_code,
        client.post(
            reverse("admin:core_personaldataaccess_change", args=[row.pk]), {"path": "/y/"}
        ).status_code,
        client.post(
            reverse("admin:core_personaldataaccess_delete", args=[row.pk]), {"post": "yes"}
        ).status_code,
        client.get(reverse("admin:core_personaldataaccess_change", args=[row.pk])).status_code,
    ]

    assert listing.status_code == 200
    # a number finds the rows about that record, newest first
    assert [entry.pk for entry in found.context["cl"].result_list] == [erase.pk, row.pk]
    assert answers == [403, 403, 403, 200]
    assert (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request, row),
        model_admin.has_delete_permission(request, row),
        model_admin.has_view_permission(request, row),
    ) == (False, False, False, True)
    assert model_admin.get_actions(request) == {}
    assert access_rows() == before


@pytest.mark.django_db
def test_code_cannot_change_or_delete_an_access_log_row():
    row = privacy.access_record(actor=None, action="erase", kind="registration", record_ids=[1])

    row.row_count = 0
    with pytest.raises(PersonalDataAccessImmutable):
        row.save()
    with pytest.raises(PersonalDataAccessImmutable):
        row.delete()
    with pytest.raises(PersonalDataAccessImmutable):
        PersonalDataAccess.objects.update(row_count=0)
    with pytest.raises(PersonalDataAccessImmutable):
        PersonalDataAccess.objects.all().delete()
    assert access_rows() == [("", "erase", "registration", [1], 1)]


# ---------------------------------------------------------------------------------------------
# The privacy policy page


@pytest.mark.django_db
def test_the_policy_page_in_english_states_the_configured_period(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 45

    response = browser(language="en").get(reverse("site:privacy"))

    assert response.status_code == 200
    html = response.content.decode()
    assert elements(html, "h1")[0]["text"] == "Privacy policy"
    assert elements(html, "span", data_part="operating-rule")[0]["text"] == "Portal operating rule"
    assert [td["text"] for td in elements(html, "td") if "data-retention" in td["attrs"]] == [
        "45 days after the event ends",
        "45 days after the consultation is held, declined or cancelled; a request still "
        "waiting for an answer is kept",
    ]
    assert [row["attrs"]["data-collected"] for row in elements(html, "tr")[1:]] == [
        "registration",
        "consultation",
        "account",
    ]


@pytest.mark.django_db
def test_the_policy_page_is_korean_first_and_states_the_configured_period(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30

    response = Client().get(reverse("site:privacy"))

    html = response.content.decode()
    assert response.status_code == 200
    assert elements(html, "html")[0]["attrs"]["lang"] == "ko"
    assert elements(html, "h1")[0]["text"] == "개인정보 처리방침"
    assert elements(html, "span", data_part="operating-rule")[0]["text"] == "포털 운영 기준"
    assert [td["text"] for td in elements(html, "td") if "data-retention" in td["attrs"]] == [
        "행사 종료 후 30일",
        "상담이 진행·거절·취소된 뒤 30일(답변을 기다리는 신청은 보관)",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "site:faq", "login", "site:event_list"])
def test_every_page_links_the_policy_from_its_footer(url_name):
    response = browser(language="en").get(reverse(url_name))

    (footer,) = elements(response.content, "footer", id="krds-footer")
    links = elements(response.content, "a", data_footer_link="privacy")
    assert [(link["attrs"]["href"], link["text"]) for link in links] == [
        (reverse("site:privacy"), "Privacy policy")
    ]
    assert "Privacy policy" in footer["text"]


@pytest.mark.django_db
def test_the_registration_form_states_the_period_and_links_the_policy(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    event = make_event()

    response = browser(language="en").get(reverse("site:event_detail", args=[event.pk]))

    html = response.content.decode()
    (retention,) = elements(html, "dd", data_retention="registration")
    assert retention["text"] == "Until 30 days after the event ends, then erased"
    (note,) = elements(html, "p", data_part="privacy-link")
    assert note["text"] == (
        "How the portal handles personal information is set out in its privacy policy."
    )
    assert f'<a href="{reverse("site:privacy")}">privacy policy</a>' in html


@pytest.mark.django_db
def test_the_consultation_request_form_links_the_policy(contact):
    response = browser(contact).get(reverse("consultation_new"))

    (note,) = elements(response.content, "p", data_part="privacy-link")
    assert note["text"] == (
        "The secretariats see the name, e-mail address and phone number of your account as "
        "the contact person for this request. How the portal handles personal information is "
        "set out in its privacy policy."
    )
    assert f'<a href="{reverse("site:privacy")}">' in response.content.decode()
