"""The site editor's pages: who may see them, and what each change does."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import AuditLog
from fund.site.models import Event, Faq, Notice, Registration
from fund.site.services import event_register, event_update
from portal.core.models import PersonalDataAccess
from tests.test_layout import elements


def make_event(**overrides) -> Event:
    now = timezone.now().replace(second=0, microsecond=0)
    values = {
        "kind": "consultation_fair",
        "title": "금융기관 상담회",
        "description": "은행·증권사와 1:1 상담",
        "starts_at": now + datetime.timedelta(days=14),
        "ends_at": now + datetime.timedelta(days=14, hours=4),
        "place": "여의도 KDB 본점",
        "capacity": 2,
        "registration_opens_at": now - datetime.timedelta(days=1),
        "registration_closes_at": now + datetime.timedelta(days=13),
        "published": True,
    }
    values.update(overrides)
    return Event.objects.create(**values)


def register(event, email, name="김민준", **overrides):
    values = {
        "name": name,
        "organization": "현대자동차",
        "email": email,
        "phone": "010-1234-5678",
        "consent": True,
    }
    values.update(overrides)
    return event_register(event=event, **values)


@pytest.fixture
def notice(db):
    return Notice.objects.create(title="초안 공지", body="내용")


@pytest.fixture
def faq(db):
    return Faq.objects.create(category="process", question="질문?", answer="답")


@pytest.fixture
def event(db):
    return make_event()


@pytest.fixture
def registration(event):
    return register(event, "kim@example.kr")


GET_PAGES = [
    ("site:editor_dashboard", None),
    ("site:editor_notices", None),
    ("site:editor_notice_create", None),
    ("site:editor_notice_edit", "notice"),
    ("site:editor_notice_delete", "notice"),
    ("site:editor_faqs", None),
    ("site:editor_faq_create", None),
    ("site:editor_faq_edit", "faq"),
    ("site:editor_faq_delete", "faq"),
    ("site:editor_events", None),
    ("site:editor_event_create", None),
    ("site:editor_event_edit", "event"),
    ("site:editor_event_delete", "event"),
    ("site:editor_registrations", "event"),
    ("site:editor_registrations_csv", "event"),
]
POST_ACTIONS = [
    ("site:editor_notice_publish", "notice"),
    ("site:editor_notice_pin", "notice"),
    ("site:editor_notice_delete", "notice"),
    ("site:editor_faq_delete", "faq"),
    ("site:editor_event_delete", "event"),
    ("site:editor_registration_check_in", "registration"),
    ("site:editor_registration_cancel", "registration"),
    ("site:editor_registration_contact", "registration"),
]


def _url(request, name, fixture):
    args = [request.getfixturevalue(fixture).pk] if fixture else []
    return reverse(name, args=args)


def _snapshot():
    return (
        list(Notice.objects.values_list("id", "published", "pinned")),
        list(Faq.objects.values_list("id", "question")),
        list(Event.objects.values_list("id", "title")),
        list(Registration.objects.values_list("id", "status", "checked_in_at")),
        AuditLog.objects.count(),
        PersonalDataAccess.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fixture"), GET_PAGES)
def test_editor_pages_open_for_the_site_editor(client, editor, request, name, fixture):
    client.force_login(editor)

    response = client.get(_url(request, name, fixture))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["applicant", "keit", "kdb"])
@pytest.mark.parametrize(("name", "fixture"), GET_PAGES + POST_ACTIONS)
def test_editor_pages_are_404_for_other_roles_and_change_nothing(
    client, request, role, name, fixture
):
    url = _url(request, name, fixture)
    client.force_login(request.getfixturevalue(role))
    before = _snapshot()

    get = client.get(url)
    post = client.post(url, {"title": "x", "body": "y", "question": "q"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fixture"), GET_PAGES + POST_ACTIONS)
def test_editor_pages_send_anonymous_visitors_to_sign_in(client, request, name, fixture):
    url = _url(request, name, fixture)
    before = _snapshot()

    response = client.post(url) if (name, fixture) in POST_ACTIONS else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_superuser_may_use_the_editor_pages(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.kr", "pw-1234-x")
    client.force_login(admin)

    assert client.get(reverse("site:editor_dashboard")).status_code == 200


# ---------------------------------------------------------------------------------------------
# Notices


@pytest.mark.django_db
def test_a_notice_written_by_the_editor_appears_on_the_site_once_published(client, editor):
    client.force_login(editor)

    created = client.post(
        reverse("site:editor_notice_create"),
        {"title": "2026년 상반기 설명회 안내", "body": "일정을 알려드립니다."},
    )
    notice = Notice.objects.get()
    before = client.get(reverse("site:notice_list"))
    client.post(reverse("site:editor_notice_publish", args=[notice.pk]))
    after = client.get(reverse("site:notice_list"))

    assert created.status_code == 302
    assert (notice.published, notice.author) == (False, editor)
    assert [n.title for n in before.context["page_obj"]] == []
    assert [n.title for n in after.context["page_obj"]] == ["2026년 상반기 설명회 안내"]
    notice.refresh_from_db()
    assert notice.published_at is not None
    assert list(
        AuditLog.objects.filter(object_type="notice").values_list(
            "action", "actor__username", "from_state", "to_state"
        )
    ) == [
        ("notice.create", "editor", "", "draft"),
        ("notice.publish", "editor", "draft", "published"),
    ]


@pytest.mark.django_db
def test_unpublishing_and_republishing_keeps_the_first_publication_date(client, editor, notice):
    client.force_login(editor)
    client.post(reverse("site:editor_notice_publish", args=[notice.pk]))
    notice.refresh_from_db()
    first_published_at = notice.published_at

    client.post(reverse("site:editor_notice_publish", args=[notice.pk]))
    hidden = client.get(reverse("site:notice_detail", args=[notice.pk]))
    client.post(reverse("site:editor_notice_publish", args=[notice.pk]))

    notice.refresh_from_db()
    assert hidden.status_code == 404
    assert (notice.published, notice.published_at) == (True, first_published_at)


@pytest.mark.django_db
def test_pinning_moves_a_notice_to_the_top_of_the_public_list(client, editor):
    now = timezone.now()
    old = Notice.objects.create(
        title="오래된", body=".", published=True, published_at=now - datetime.timedelta(days=9)
    )
    Notice.objects.create(title="새로운", body=".", published=True, published_at=now)
    client.force_login(editor)

    client.post(reverse("site:editor_notice_pin", args=[old.pk]))
    listing = client.get(reverse("site:notice_list"))

    assert [n.title for n in listing.context["page_obj"]] == ["오래된", "새로운"]
    assert AuditLog.objects.get(object_type="notice").action == "notice.pin"


@pytest.mark.django_db
def test_editing_a_notice_with_an_empty_title_shows_the_error_and_changes_nothing(
    client, editor, notice
):
    client.force_login(editor)

    response = client.post(
        reverse("site:editor_notice_edit", args=[notice.pk]), {"title": "", "body": "새 내용"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["title"]
    notice.refresh_from_db()
    assert (notice.title, notice.body) == ("초안 공지", "내용")
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_deleting_a_notice_leaves_an_audit_row(client, editor, notice):
    client.force_login(editor)

    response = client.post(reverse("site:editor_notice_delete", args=[notice.pk]))

    assert response.status_code == 302
    assert Notice.objects.count() == 0
    assert list(AuditLog.objects.values_list("action", "object_id", "data")) == [
        ("notice.delete", str(notice.pk), {"title": "초안 공지"})
    ]


# ---------------------------------------------------------------------------------------------
# FAQ


@pytest.mark.django_db
def test_the_editor_creates_and_edits_faq_entries(client, editor):
    client.force_login(editor)

    client.post(
        reverse("site:editor_faq_create"),
        {
            "category": "eligibility",
            "question": "스타트업도 신청할 수 있나요?",
            "answer": "기업 규모 제한은 없습니다.",
            "order": "1",
            "published": "on",
        },
    )
    faq = Faq.objects.get()
    client.post(
        reverse("site:editor_faq_edit", args=[faq.pk]),
        {
            "category": "eligibility",
            "question": "스타트업도 신청할 수 있나요?",
            "answer": "네. 국민성장펀드는 기업 규모를 제한하지 않습니다.",
            "order": "1",
            "published": "on",
        },
    )
    public = client.get(reverse("site:faq"))

    faq.refresh_from_db()
    assert faq.answer == "네. 국민성장펀드는 기업 규모를 제한하지 않습니다."
    assert "국민성장펀드는 기업 규모를 제한하지 않습니다." in public.content.decode()
    assert list(AuditLog.objects.values_list("action", "data")) == [
        ("faq.create", {}),
        ("faq.update", {"fields": ["answer"]}),
    ]


@pytest.mark.django_db
def test_an_unknown_faq_category_is_refused_on_category(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("site:editor_faq_create"),
        {"category": "casino", "question": "q", "answer": "a", "order": "0"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["category"]
    assert Faq.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Events


def _event_form(**overrides):
    data = {
        "kind": "seminar",
        "title": "AI 반도체 분과 설명회",
        "description": "국민성장펀드 채널 안내",
        "starts_at": "2031-03-10T14:00",
        "ends_at": "2031-03-10T16:00",
        "place": "대전 KAIST",
        "online_url": "",
        "capacity": "80",
        "registration_opens_at": "2031-02-01T09:00",
        "registration_closes_at": "2031-03-09T18:00",
        "published": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_editor_creates_an_event_in_korean_time(client, editor):
    client.force_login(editor)

    response = client.post(reverse("site:editor_event_create"), _event_form())

    event = Event.objects.get()
    assert response.status_code == 302
    assert event.starts_at == datetime.datetime(2031, 3, 10, 5, 0, tzinfo=datetime.UTC)
    assert (event.capacity, event.created_by) == (80, editor)
    assert AuditLog.objects.get().action == "event.create"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2031-03-10T13:00"}, "ends_at"),
        ({"registration_closes_at": "2031-01-01T09:00"}, "registration_closes_at"),
        ({"registration_closes_at": "2031-03-11T09:00"}, "registration_closes_at"),
        ({"place": "", "online_url": ""}, "place"),
        ({"capacity": "0"}, "capacity"),
        ({"kind": "party"}, "kind"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
def test_bad_event_input_is_shown_on_its_field_and_stores_nothing(client, editor, overrides, field):
    client.force_login(editor)

    response = client.post(reverse("site:editor_event_create"), _event_form(**overrides))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert Event.objects.count() == 0
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_capacity_cannot_go_below_the_confirmed_registrations(client, editor, event):
    register(event, "a@example.kr")
    register(event, "b@example.kr")
    client.force_login(editor)
    data = _event_form(capacity="1")
    data.update(
        {
            "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "registration_opens_at": timezone.localtime(event.registration_opens_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "registration_closes_at": timezone.localtime(event.registration_closes_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        }
    )

    response = client.post(reverse("site:editor_event_edit", args=[event.pk]), data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["capacity"]
    event.refresh_from_db()
    assert (event.capacity, event.title) == (2, "금융기관 상담회")
    assert AuditLog.objects.filter(object_type="event").count() == 0


@pytest.mark.django_db
def test_raising_the_capacity_confirms_the_waitlist_in_order(editor, event):
    for email in ["a@example.kr", "b@example.kr", "c@example.kr", "d@example.kr"]:
        register(event, email)

    event_update(event=event, actor=editor, capacity=3)

    assert list(
        Registration.objects.order_by("id").values_list("email", "status", "waitlist_position")
    ) == [
        ("a@example.kr", "confirmed", None),
        ("b@example.kr", "confirmed", None),
        ("c@example.kr", "confirmed", None),
        ("d@example.kr", "waitlisted", 1),
    ]


@pytest.mark.django_db
def test_an_event_with_registrations_cannot_be_deleted(client, editor, event, registration):
    client.force_login(editor)

    response = client.post(reverse("site:editor_event_delete", args=[event.pk]))

    assert response.status_code == 302
    assert Event.objects.filter(pk=event.pk).exists()
    assert AuditLog.objects.filter(action="event.delete").count() == 0


# ---------------------------------------------------------------------------------------------
# Registrations


@pytest.mark.django_db
def test_the_registrations_list_filters_by_status(client, editor, event):
    for email in ["a@example.kr", "b@example.kr", "c@example.kr"]:
        register(event, email)
    client.force_login(editor)

    everyone = client.get(reverse("site:editor_registrations", args=[event.pk]))
    waitlisted = client.get(
        reverse("site:editor_registrations", args=[event.pk]), {"status": "waitlisted"}
    )

    assert [r.email for r in everyone.context["page_obj"]] == [
        "a@example.kr",
        "b@example.kr",
        "c@example.kr",
    ]
    assert [r.email for r in waitlisted.context["page_obj"]] == ["c@example.kr"]


@pytest.mark.django_db
def test_check_in_toggles_for_a_confirmed_registration(client, editor, event, registration):
    client.force_login(editor)
    url = reverse("site:editor_registration_check_in", args=[registration.pk])

    first = client.post(url, {"status": "confirmed"})
    registration.refresh_from_db()
    checked_in_at = registration.checked_in_at
    client.post(url)
    registration.refresh_from_db()

    assert first.status_code == 302
    assert first["Location"] == (
        reverse("site:editor_registrations", args=[event.pk]) + "?status=confirmed"
    )
    assert checked_in_at is not None
    assert registration.checked_in_at is None
    assert list(AuditLog.objects.filter(object_type="registration").values_list("action")) == [
        ("registration.create",),
        ("registration.check_in",),
        ("registration.check_in_undo",),
    ]


@pytest.mark.django_db
def test_a_waitlisted_registration_cannot_be_checked_in(client, editor, event):
    register(event, "a@example.kr")
    register(event, "b@example.kr")
    waitlisted = register(event, "c@example.kr")
    client.force_login(editor)

    client.post(reverse("site:editor_registration_check_in", args=[waitlisted.pk]))

    waitlisted.refresh_from_db()
    assert waitlisted.checked_in_at is None
    assert AuditLog.objects.filter(action="registration.check_in").count() == 0


@pytest.mark.django_db
def test_cancel_on_behalf_promotes_the_waitlist(client, editor, event):
    first = register(event, "a@example.kr")
    register(event, "b@example.kr")
    register(event, "c@example.kr")
    register(event, "d@example.kr")
    client.force_login(editor)

    client.post(reverse("site:editor_registration_cancel", args=[first.pk]))
    again = client.post(reverse("site:editor_registration_cancel", args=[first.pk]))

    assert again.status_code == 302
    assert list(
        Registration.objects.order_by("id").values_list("email", "status", "waitlist_position")
    ) == [
        ("a@example.kr", "cancelled", None),
        ("b@example.kr", "confirmed", None),
        ("c@example.kr", "confirmed", None),
        ("d@example.kr", "waitlisted", 1),
    ]
    first.refresh_from_db()
    assert first.cancelled_by == editor
    assert list(
        AuditLog.objects.filter(action__startswith="registration.")
        .exclude(action="registration.create")
        .values_list("action", "actor__username")
    ) == [("registration.cancel_by_staff", "editor"), ("registration.promote", "editor")]


@pytest.mark.django_db
def test_csv_export_is_exact_utf8_with_bom_and_formula_safe(client, editor, event):
    a = register(event, "kim@example.kr", name="김민준")
    register(event, "attacker@example.kr", name='=HYPERLINK("http://x")', organization="@corp")
    register(event, "lee@example.kr", name="이서연", phone="+82 10 5555 0000")
    # All three signed up at 09:30 Korean time on 2 January 2031.
    Registration.objects.filter(event=event).update(
        created_at=datetime.datetime(2031, 1, 2, 0, 30, tzinfo=datetime.UTC)
    )
    Registration.objects.filter(pk=a.pk).update(
        checked_in_at=datetime.datetime(2031, 3, 10, 4, 55, tzinfo=datetime.UTC)
    )
    client.force_login(editor)

    response = client.get(reverse("site:editor_registrations_csv", args=[event.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="event-{event.pk}-registrations.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    # E-mail addresses and phone numbers are masked in the file as on the list.
    assert response.content.decode("utf-8-sig") == (
        "번호,이름,소속,이메일,전화,상태,대기순번,신청일시,체크인\r\n"
        "1,김민준,현대자동차,k***@example.kr,010-****-5678,확정,,2031-01-02 09:30,"
        "2031-03-10 13:55\r\n"
        '2,"\'=HYPERLINK(""http://x"")",\'@corp,a***@example.kr,010-****-5678,확정,,'
        "2031-01-02 09:30,\r\n"
        "3,이서연,현대자동차,l***@example.kr,'+82 ** **** 0000,대기,1,2031-01-02 09:30,\r\n"
    )
    registrations = list(Registration.objects.order_by("pk").values_list("pk", flat=True))
    assert list(
        PersonalDataAccess.objects.values_list(
            "actor_username", "action", "kind", "record_ids", "row_count", "data"
        )
    ) == [("editor", "export", "registration", registrations, 3, {"event": event.pk, "status": ""})]


@pytest.mark.django_db
def test_the_dashboard_counts_content_and_lists_the_next_events(client, editor, event):
    Notice.objects.create(title="게시", body=".", published=True, published_at=timezone.now())
    Notice.objects.create(title="초안", body=".")
    Notice.objects.create(title="초안 2", body=".")
    Faq.objects.create(category="other", question="q", answer="a", published=True)
    register(event, "a@example.kr")
    client.force_login(editor)

    response = client.get(reverse("site:editor_dashboard"))

    assert response.context["notices"] == {"published_count": 1, "draft_count": 2}
    assert response.context["faqs"] == {"published_count": 1, "draft_count": 0}
    assert [(e.title, e.confirmed_count) for e in response.context["upcoming_events"]] == [
        ("금융기관 상담회", 1)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 15])
def test_editor_list_query_counts_do_not_grow_with_rows(
    client, editor, django_assert_num_queries, rows
):
    event = make_event(capacity=rows)
    for n in range(rows):
        Notice.objects.create(title=f"공지 {n}", body=".", author=editor)
        Faq.objects.create(category="other", question=f"q{n}", answer="a")
        make_event(title=f"행사 {n}")
        register(event, f"p{n}@example.kr")
    client.force_login(editor)

    # session, user, the user's groups, then count + page
    for name, args in [
        ("site:editor_notices", []),
        ("site:editor_faqs", []),
        ("site:editor_events", []),
        ("site:editor_registrations", [event.pk]),
    ]:
        # the event itself, and the access-log row of the registrants shown
        extra = 2 if name == "site:editor_registrations" else 0
        with django_assert_num_queries(5 + extra):
            client.get(reverse(name, args=args))


def test_the_notice_list_shows_a_notice_with_no_author(client, editor):
    # The demo world's notices are written by the system, with no author.
    notice = Notice.objects.create(
        title="시스템 공지", body="본문", published=True, published_at=timezone.now()
    )
    client.force_login(editor)

    response = client.get(reverse("site:editor_notices"))

    assert response.status_code == 200
    (row,) = [tr for tr in elements(response.content, "tr") if "시스템 공지" in tr["text"]]
    assert "—" in row["text"]
    assert notice.author is None
