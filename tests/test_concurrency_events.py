"""Self-cancellations (one of them double-clicked) and new registrations for a full event, all
at the same moment through the public pages: the seats stay exactly full, the people promoted
are the first on the waitlist, and the waitlist stays numbered 1..n in the order people came.

Simultaneous registrations alone (through the service) are in tests/test_events.py
(test_concurrent_registrations_never_confirm_more_than_the_capacity); this file adds
cancellations racing registrations, through the pages.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fund.site.models import Event, Registration, RegistrationStatus
from fund.site.services import cancel_token_issue, event_register

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 3


def _event() -> Event:
    now = timezone.now().replace(second=0, microsecond=0)
    return Event.objects.create(
        kind="consultation_fair",
        title="국민성장펀드 금융기관 상담회",
        description="채널별 금융기관 담당자와 1:1 상담",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=3),
        place="서울 영등포구 산업은행 본점",
        capacity=CAPACITY,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        published=True,
    )


def _form(email: str) -> dict:
    return {
        "name": "참가자",
        "organization": "마키나락스",
        "email": email,
        "phone": "010-2222-3333",
        "consent": "on",
    }


def test_cancellations_racing_registrations_keep_the_seats_full_and_the_waitlist_in_order():
    # Given a full event (three confirmed) with three people waiting.
    event = _event()
    early = [
        event_register(
            event=event,
            name="참가자",
            organization="마키나락스",
            email=f"early{n}@example.kr",
            phone="010-2222-3333",
            consent=True,
        )
        for n in range(6)
    ]
    assert [r.status for r in early] == ["confirmed"] * 3 + ["waitlisted"] * 3
    tokens = [cancel_token_issue(registration=r) for r in early[:2]]

    # When, at the same moment, two confirmed people cancel (the first clicks twice) and four
    # new people register.
    requests = [
        ("cancel", reverse("site:registration_cancel", args=[tokens[0]]), {}),
        ("cancel", reverse("site:registration_cancel", args=[tokens[0]]), {}),
        ("cancel", reverse("site:registration_cancel", args=[tokens[1]]), {}),
    ] + [
        ("register", reverse("site:event_detail", args=[event.pk]), _form(f"late{n}@example.kr"))
        for n in range(4)
    ]
    statuses: list = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def send(index: int) -> None:
        kind, url, data = requests[index]
        try:
            barrier.wait()
            statuses[index] = (kind, Client().post(url, data).status_code)
        except Exception as exc:  # asserted below: no other outcome is acceptable
            statuses[index] = (kind, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then each cancellation happened once (the double click is told it already happened),
    # and every registration was taken.
    assert (
        sorted(statuses)
        == [("cancel", 302), ("cancel", 302), ("cancel", 409)] + [("register", 302)] * 4
    )
    registrations = Registration.objects.filter(event=event)
    # The seats are exactly full: the first two on the waitlist moved up, in order.
    assert sorted(
        registrations.filter(status=RegistrationStatus.CONFIRMED).values_list("email", flat=True)
    ) == ["early2@example.kr", "early3@example.kr", "early4@example.kr"]
    assert sorted(
        registrations.filter(status=RegistrationStatus.CANCELLED).values_list("email", flat=True)
    ) == ["early0@example.kr", "early1@example.kr"]
    # The waitlist is numbered 1..5: the one still waiting first, then the newcomers in the
    # order their registrations were taken (their ids).
    waitlist = list(
        registrations.filter(status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("email", "waitlist_position", "id")
    )
    assert [(email, position) for email, position, _id in waitlist[:1]] == [
        ("early5@example.kr", 1)
    ]
    newcomers = waitlist[1:]
    assert [position for _email, position, _id in newcomers] == [2, 3, 4, 5]
    assert [pk for _email, _position, pk in newcomers] == sorted(pk for *_, pk in newcomers)
    assert sorted(email for email, *_ in newcomers) == [f"late{n}@example.kr" for n in range(4)]
