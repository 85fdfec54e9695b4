"""The information site's notices, FAQ, contact page and event list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fund.site.demo import site_demo_content_ensure
from fund.site.models import Event, Faq, Notice, Registration, RegistrationStatus


def make_notice(title, *, days_ago=0, pinned=False, published=True, body="본문") -> Notice:
    return Notice.objects.create(
        title=title,
        body=body,
        pinned=pinned,
        published=published,
        published_at=timezone.now() - datetime.timedelta(days=days_ago) if published else None,
    )


def make_faq(question, category="process", *, order=0, published=True, answer="답변") -> Faq:
    return Faq.objects.create(
        category=category, question=question, answer=answer, order=order, published=published
    )


def make_event(title, *, days_from_now=10, published=True, capacity=30) -> Event:
    now = timezone.now()
    starts = now + datetime.timedelta(days=days_from_now)
    return Event.objects.create(
        kind="workshop",
        title=title,
        description="설명",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="부산 BEXCO",
        capacity=capacity,
        registration_opens_at=starts - datetime.timedelta(days=20),
        registration_closes_at=starts - datetime.timedelta(days=1),
        published=published,
    )


def titles(response, key="page_obj") -> list[str]:
    return [notice.title for notice in response.context[key]]


# ---------------------------------------------------------------------------------------------
# Notices


@pytest.mark.django_db
def test_notices_list_pinned_first_then_newest(client):
    make_notice("오래된 공지", days_ago=30)
    make_notice("최근 공지", days_ago=1)
    make_notice("고정 공지 (오래됨)", days_ago=60, pinned=True)
    make_notice("중간 공지", days_ago=10)

    response = client.get(reverse("site:notice_list"))

    assert response.status_code == 200
    assert titles(response) == ["고정 공지 (오래됨)", "최근 공지", "중간 공지", "오래된 공지"]


@pytest.mark.django_db
def test_unpublished_notices_are_invisible_in_the_list_and_their_detail_is_404(client):
    draft = make_notice("작성 중인 공지", published=False)
    taken_down = make_notice("내린 공지", days_ago=3)
    Notice.objects.filter(pk=taken_down.pk).update(published=False)
    visible = make_notice("게시된 공지")

    listing = client.get(reverse("site:notice_list"))

    assert titles(listing) == ["게시된 공지"]
    assert client.get(reverse("site:notice_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("site:notice_detail", args=[taken_down.pk])).status_code == 404
    assert client.get(reverse("site:notice_detail", args=[visible.pk])).status_code == 200
    assert client.get("/notices/99999999999999999999/").status_code == 404


@pytest.mark.django_db
def test_notice_search_looks_in_title_and_body(client):
    make_notice("2026년 설명회 일정 안내", days_ago=2)
    make_notice("사업 공고", days_ago=1, body="인프라 투·융자 채널 설명회 자료")
    make_notice("채용 안내")
    make_notice("설명회 초안", published=False)

    response = client.get(reverse("site:notice_list"), {"q": "설명회"})

    assert titles(response) == ["사업 공고", "2026년 설명회 일정 안내"]
    assert response.context["q"] == "설명회"


@pytest.mark.django_db
def test_notices_are_paginated_by_ten_keeping_the_search(client):
    for n in range(23):
        make_notice(f"공지 {n:02d}", days_ago=n)

    first = client.get(reverse("site:notice_list"))
    third = client.get(reverse("site:notice_list"), {"page": 3, "q": "공지"})
    beyond = client.get(reverse("site:notice_list"), {"page": "abc"})

    assert titles(first) == [f"공지 {n:02d}" for n in range(10)]
    assert titles(third) == ["공지 20", "공지 21", "공지 22"]
    assert titles(beyond) == titles(first)
    assert 'href="?page=2&amp;q=%EA%B3%B5%EC%A7%80"' in third.content.decode()


@pytest.mark.django_db
def test_notice_body_is_shown_escaped_with_its_line_breaks(client):
    notice = make_notice("안내", body="첫 줄\n<b>둘째</b> 줄\n\n새 문단")

    html = client.get(reverse("site:notice_detail", args=[notice.pk])).content.decode()

    assert "<p>첫 줄<br>&lt;b&gt;둘째&lt;/b&gt; 줄</p>\n\n<p>새 문단</p>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 25])
def test_notice_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    for n in range(rows):
        make_notice(f"공지 {n}", days_ago=n, pinned=n == 0)

    # count + one page of rows
    with django_assert_num_queries(2):
        client.get(reverse("site:notice_list"))


# ---------------------------------------------------------------------------------------------
# FAQ


@pytest.mark.django_db
def test_faq_is_grouped_by_category_in_category_order(client):
    make_faq("신청은 어떻게 하나요?", "process", order=2)
    make_faq("누가 신청할 수 있나요?", "eligibility")
    make_faq("서류는 무엇이 필요한가요?", "process", order=1)
    make_faq("대출 금리는?", "channels")
    make_faq("작성 중", "other", published=False)

    response = client.get(reverse("site:faq"))

    groups = [
        (code, [f.question for f in entries]) for code, _, entries in response.context["groups"]
    ]
    assert groups == [
        ("eligibility", ["누가 신청할 수 있나요?"]),
        ("process", ["서류는 무엇이 필요한가요?", "신청은 어떻게 하나요?"]),
        ("channels", ["대출 금리는?"]),
    ]
    assert "작성 중" not in response.content.decode()


@pytest.mark.django_db
def test_faq_search_and_category_filter(client):
    make_faq("누가 신청할 수 있나요?", "eligibility", answer="중소기업도 신청할 수 있습니다.")
    make_faq("중견기업 지원 조건은?", "channels")
    make_faq("행사 일정은?", "events")

    searched = client.get(reverse("site:faq"), {"q": "중소기업"})
    filtered = client.get(reverse("site:faq"), {"category": "events"})
    both = client.get(reverse("site:faq"), {"q": "중", "category": "channels"})
    unknown = client.get(reverse("site:faq"), {"category": "casino"})

    def questions(response):
        return [f.question for _, _, entries in response.context["groups"] for f in entries]

    assert questions(searched) == ["누가 신청할 수 있나요?"]
    assert questions(filtered) == ["행사 일정은?"]
    assert questions(both) == ["중견기업 지원 조건은?"]
    assert len(questions(unknown)) == 3
    assert unknown.context["category"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 30])
def test_faq_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    categories = ["eligibility", "process", "channels", "events", "other"]
    for n in range(rows):
        make_faq(f"질문 {n}", categories[n % 5], order=n)

    with django_assert_num_queries(1):
        client.get(reverse("site:faq"))


# ---------------------------------------------------------------------------------------------
# Contact


@pytest.mark.django_db
def test_contact_page_lists_both_secretariats(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("site:contact"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="mailto:max-alliance@keit.example.kr"' in html
    assert 'href="mailto:growthfund@kdb.example.kr"' in html


# ---------------------------------------------------------------------------------------------
# Events


@pytest.mark.django_db
def test_events_list_upcoming_soonest_first_and_past_separately(client):
    make_event("다음 달 워크숍", days_from_now=30)
    make_event("다음 주 설명회", days_from_now=7)
    make_event("지난 상담회", days_from_now=-20)
    make_event("지난주 설명회", days_from_now=-7)
    make_event("비공개 행사", days_from_now=3, published=False)

    response = client.get(reverse("site:event_list"))

    assert [e.title for e in response.context["upcoming"]] == ["다음 주 설명회", "다음 달 워크숍"]
    assert [e.title for e in response.context["past"]] == ["지난주 설명회", "지난 상담회"]
    assert "비공개 행사" not in response.content.decode()


@pytest.mark.django_db
def test_events_list_shows_seats_taken(client):
    event = make_event("설명회", capacity=3)
    for n, status in enumerate(["confirmed", "confirmed", "cancelled"]):
        Registration.objects.create(
            event=event,
            name=f"참가자 {n}",
            organization="기관",
            email=f"p{n}@example.kr",
            phone="010-1111-2222",
            status=status,
            consented_at=timezone.now(),
            cancelled_at=timezone.now() if status == RegistrationStatus.CANCELLED else None,
        )

    response = client.get(reverse("site:event_list"))

    (listed,) = response.context["upcoming"]
    assert (listed.confirmed_count, listed.waitlisted_count) == (2, 0)
    assert "2 / 3" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 12])
def test_events_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    for n in range(rows):
        make_event(f"예정 {n}", days_from_now=n + 1)
        make_event(f"지난 {n}", days_from_now=-(n + 1))

    # upcoming: count + page; past: count + page
    with django_assert_num_queries(4):
        client.get(reverse("site:event_list"))


@pytest.mark.django_db
def test_event_detail_shows_the_consent_text_and_the_form(client):
    event = make_event("설명회")

    response = client.get(reverse("site:event_detail", args=[event.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="consent"' in html
    assert 'id="consent-title"' in html
    for field in ("name", "organization", "email", "phone"):
        assert f'name="{field}"' in html


# ---------------------------------------------------------------------------------------------
# Demo content


@pytest.mark.django_db
def test_demo_content_is_created_once_and_its_events_are_open_for_registration(client):
    first = site_demo_content_ensure()
    second = site_demo_content_ensure()

    # three upcoming events, and the 2025-12-04 간담회 as a past one
    assert first == {"notices": 3, "faqs": 7, "events": 4}
    assert second == {"notices": 0, "faqs": 0, "events": 0}
    events = client.get(reverse("site:event_list")).context["upcoming"]
    assert sorted(e.kind for e in events) == ["consultation_fair", "seminar", "workshop"]
    assert {e.registration_state for e in events} == {"open"}
    notices = client.get(reverse("site:notice_list")).context["page_obj"]
    assert notices[0].title == "M.AX 얼라이언스 × 국민성장펀드 매칭 포털을 열었습니다"
