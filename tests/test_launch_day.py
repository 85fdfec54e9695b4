"""Launch day on the public site: anonymous visitors get whole pages from the cache
(portal.core.page_cache) until a change commits; signed-in users and forms are never served a
stored or shared copy; an event's registration stays exact when 64 people register at once.
"""

import datetime
import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fund.site.models import Event, Faq, Registration, RegistrationStatus
from portal.core.page_cache import MARKER

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _faq(question: str) -> Faq:
    return Faq.objects.create(
        category="process", question=question, answer="신청서를 제출하세요.", published=True
    )


def _event(capacity: int) -> Event:
    now = timezone.now().replace(second=0, microsecond=0)
    return Event.objects.create(
        kind="seminar",
        title="국민성장펀드 출범 설명회",
        description="네 가지 투자 채널의 지원 조건을 안내합니다.",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="서울 중구 대한상공회의소 국제회의실",
        capacity=capacity,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        published=True,
    )


def _form(email: str, **extra) -> dict:
    return {
        "name": "참가자",
        "organization": "마키나락스",
        "email": email,
        "phone": "010-2222-3333",
        "consent": "on",
        **extra,
    }


def test_an_anonymous_page_comes_from_the_cache_until_a_change_commits(
    django_assert_num_queries,
):
    _faq("누가 신청할 수 있나요?")
    url = reverse("site:faq")
    first = Client().get(url)
    assert first.status_code == 200
    assert "X-Page-Cache" not in first

    # A second visitor: the stored page, without a single query.
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second["X-Page-Cache"] == "hit"
    assert "누가 신청할 수 있나요?" in second.content.decode()

    # An editor's new question commits: the very next visitor sees it.
    _faq("상담회는 어디서 열리나요?")
    third = Client().get(url)
    assert "X-Page-Cache" not in third
    assert "상담회는 어디서 열리나요?" in third.content.decode()


def test_a_change_that_rolls_back_leaves_the_stored_page_current():
    _faq("누가 신청할 수 있나요?")
    url = reverse("site:faq")
    Client().get(url)

    with pytest.raises(RuntimeError), transaction.atomic():
        _faq("철회된 질문")
        raise RuntimeError("the editor's request failed")

    again = Client().get(url)
    assert again["X-Page-Cache"] == "hit"
    assert "철회된 질문" not in again.content.decode()


def test_languages_are_stored_apart():
    url = reverse("home")
    korean = Client().get(url)
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get(url)

    assert "X-Page-Cache" not in english  # not the Korean page
    assert english.content != korean.content
    assert '<html lang="en">' in english.content.decode()
    assert english_client.get(url)["X-Page-Cache"] == "hit"
    assert '<html lang="ko">' in Client().get(url).content.decode()


def test_a_signed_in_user_is_never_served_or_stored(django_user_model):
    user = django_user_model.objects.create_user(
        username="kdb-staff", password="pw-12345678!", first_name="산업은행 담당자"
    )
    url = reverse("home")
    Client().get(url)  # the anonymous page is stored

    member = Client()
    member.force_login(user)
    page = member.get(url)
    assert "X-Page-Cache" not in page
    assert "산업은행 담당자" in page.content.decode()

    # Their page was not stored for anyone else either.
    anonymous = Client().get(url)
    assert anonymous["X-Page-Cache"] == "hit"
    assert "산업은행 담당자" not in anonymous.content.decode()


def test_forms_on_stored_pages_get_each_visitor_their_own_valid_token():
    event = _event(capacity=5)
    url = reverse("site:event_detail", args=[event.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(url)
    second_page = second.get(url)
    assert second_page["X-Page-Cache"] == "hit"

    first_tokens = set(TOKEN.findall(first_page.content.decode()))
    second_tokens = set(TOKEN.findall(second_page.content.decode()))
    assert len(first_tokens) == 1 and len(second_tokens) == 1
    assert first_tokens != second_tokens
    assert MARKER not in second_page.content.decode()
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # The stored copy holds no token at all.
    stored = [cache.get(k) for k in cache._cache if "page:" in k]  # LocMemCache in tests
    assert stored and all(MARKER in entry["body"] for entry in stored if entry)

    # Each visitor's own token works with their own cookie, and not with someone else's.
    (token,) = second_tokens
    taken = second.post(url, _form("second@example.kr", csrfmiddlewaretoken=token))
    assert taken.status_code == 302
    assert Registration.objects.filter(email="second@example.kr").count() == 1
    third = Client(enforce_csrf_checks=True)
    third.get(reverse("site:faq"))  # a cookie of its own
    refused = third.post(url, _form("third@example.kr", csrfmiddlewaretoken=token))
    assert refused.status_code == 403
    assert not Registration.objects.filter(email="third@example.kr").exists()


def test_a_registration_makes_the_event_page_show_the_seats_left_at_once():
    event = _event(capacity=50)
    url = reverse("site:event_detail", args=[event.pk])
    english = Client()
    english.cookies["django_language"] = "en"
    assert "0 of 50 seats taken" in english.get(url).content.decode()

    response = Client().post(url, _form("first@example.kr"))
    assert response.status_code == 302

    page = english.get(url)
    assert "X-Page-Cache" not in page
    assert "1 of 50 seats taken" in page.content.decode()


def test_64_people_registering_at_once_for_50_seats():
    event = _event(capacity=50)
    url = reverse("site:event_detail", args=[event.pk])
    people = 64
    statuses: list = [None] * people
    barrier = threading.Barrier(people)

    def register(n: int) -> None:
        try:
            barrier.wait()
            statuses[n] = Client().post(url, _form(f"person{n}@example.kr")).status_code
        except Exception as exc:  # asserted below: no other outcome is acceptable
            statuses[n] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Every registrant was taken (0 errors): exactly 50 confirmed, 14 waitlisted.
    assert statuses == [302] * people
    rows = list(
        Registration.objects.filter(event=event)
        .order_by("id")
        .values_list("id", "status", "waitlist_position")
    )
    assert len(rows) == people
    assert [status for _id, status, _position in rows] == (
        [RegistrationStatus.CONFIRMED] * 50 + [RegistrationStatus.WAITLISTED] * 14
    )
    # The waitlist in arrival order: the order the event's lock let them in (their ids).
    assert [position for _id, _status, position in rows[50:]] == list(range(1, 15))
