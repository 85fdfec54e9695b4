"""The broker is down (the web's broker URL points at a closed port): pages keep answering,
what people submit is kept in PostgreSQL, the proposal page says processing is delayed,
/readyz says the broker is down, and once the broker is back the sweeps score the submission
and send the mail written meanwhile.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.consultations.services import consultation_request
from alliance.models import Proposal
from fund.site.models import Event, Registration, RegistrationStatus
from matching.models import MatchResult
from matching.tasks import score_missing
from portal.core.models import Notification
from portal.core.tasks import sweep_notifications
from tests.factories import InstitutionFactory
from tests.fault_support import (
    broker_url,
    closed_port_url,
    tagged_worker_fixture,  # noqa: F401  (a fixture)
    wait_for,
)

pytest_plugins = ["tests.celery_worker"]

pytestmark = pytest.mark.django_db(transaction=True)

PENDING = "The portal is scoring this proposal against the four channels…"
DELAYED = (
    "If no results appear within a few minutes, processing is delayed: the proposal is saved "
    "and will be scored automatically."
)


def _browser(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assertions read the English msgids
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.worker
def test_a_submission_while_the_broker_is_down_is_kept_shown_as_delayed_and_scored_later(
    tagged_worker, applicant, draft
):
    # Given a worker on the real broker, and a web process whose broker is unreachable.
    tagged_worker("fault-broker-down")
    client = _browser(applicant)
    detail = reverse("alliance:proposal_detail", args=[draft.pk])
    with broker_url(closed_port_url()):
        # When the applicant submits.
        response = client.post(
            reverse("alliance:proposal_submit", args=[draft.pk]), {"version": draft.version}
        )

        # Then the submission stands and the page says the results are delayed, not an error.
        assert (response.status_code, response["Location"]) == (302, detail)
        assert Proposal.objects.get(pk=draft.pk).status == "submitted"
        page = client.get(detail)
        assert page.status_code == 200
        html = page.content.decode()
        assert PENDING in html
        assert DELAYED in html
        health = client.get("/readyz")
        assert health.status_code == 503
        assert (health.json()["broker"]["ok"], health.json()["workers"]["ok"]) == (False, False)
    assert MatchResult.objects.filter(proposal=draft).count() == 0

    # When the broker is back and beat's sweep (score_missing) reaches the worker.
    assert client.get("/readyz").status_code == 200
    score_missing.apply_async()

    # Then the submission is scored, once per channel, and the page shows the results.
    wait_for(lambda: MatchResult.objects.filter(proposal=draft).count() == 4, what="scores")
    assert sorted(
        MatchResult.objects.filter(proposal=draft).values_list("channel", "eligible", "score")
    ) == [("direct", False, 59), ("indirect", True, 73), ("infra", False, 62), ("loan", True, 61)]
    html = client.get(detail).content.decode()
    assert DELAYED not in html
    assert 'data-testid="score-indirect">73 / 100' in html


def _event() -> Event:
    now = timezone.now().replace(second=0, microsecond=0)
    return Event.objects.create(
        kind="seminar",
        title="국민성장펀드 채널 설명회",
        description="네 가지 투자 채널의 지원 조건을 안내합니다.",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="서울 중구 대한상공회의소 국제회의실",
        capacity=5,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        published=True,
    )


def _weekday_at(hour: int) -> datetime.datetime:
    day = timezone.localtime().date() + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Asia/Seoul"))


def test_pages_that_send_mail_answer_while_the_broker_is_down(applicant, kdb):
    event = _event()
    consultation = consultation_request(
        actor=applicant,
        institution=InstitutionFactory(name="우리은행", name_en="Woori Bank"),
        topic="loan_terms",
        message="스마트 공장 설비 자금의 초저리대출 조건을 상담하고 싶습니다.",
        preferred_slots=[_weekday_at(10)],
    )
    visitor = Client(raise_request_exception=False)

    with broker_url(closed_port_url()):
        # When a visitor registers for a briefing and KDB confirms a consultation.
        registered = visitor.post(
            reverse("site:event_detail", args=[event.pk]),
            {
                "name": "이서연",
                "organization": "두산로보틱스",
                "email": "lee@example.kr",
                "phone": "010-9876-5432",
                "consent": "on",
            },
        )
        confirmed = _browser(kdb).post(
            reverse("consultation_confirm", args=[consultation.pk]),
            {
                "slot": timezone.localtime(consultation.preferred_slot_1).isoformat(),
                "place": "KDB 본점 3층 회의실",
            },
        )

    # Then both pages answer as usual (their mail could not be queued) and both changes stand.
    assert (registered.status_code, confirmed.status_code) == (302, 302)
    assert list(Registration.objects.filter(event=event).values_list("email", "status")) == [
        ("lee@example.kr", RegistrationStatus.CONFIRMED)
    ]
    consultation.refresh_from_db()
    assert consultation.status == "confirmed"


@pytest.mark.worker
def test_mail_written_while_the_broker_is_down_is_sent_by_the_sweep_once_it_is_back(
    tagged_worker, applicant, kdb
):
    # Given a worker on the real broker, and a web process whose broker is unreachable.
    tagged_worker("fault-broker-down-mail")
    event = _event()
    consultation = consultation_request(
        actor=applicant,
        institution=InstitutionFactory(name="우리은행", name_en="Woori Bank"),
        topic="loan_terms",
        message="스마트 공장 설비 자금의 초저리대출 조건을 상담하고 싶습니다.",
        preferred_slots=[_weekday_at(10)],
    )
    with broker_url(closed_port_url()):
        # When a visitor registers and KDB confirms a consultation at that moment.
        Client().post(
            reverse("site:event_detail", args=[event.pk]),
            {
                "name": "이서연",
                "organization": "두산로보틱스",
                "email": "lee@example.kr",
                "phone": "010-9876-5432",
                "consent": "on",
            },
        )
        _browser(kdb).post(
            reverse("consultation_confirm", args=[consultation.pk]),
            {"slot": timezone.localtime(consultation.preferred_slot_1).isoformat()},
        )
    # Then both mails wait in the outbox: the broker never carried their send task.
    mails = Notification.objects.filter(kind__in=["event_registration", "consultation"])
    assert sorted(mails.values_list("recipient", "state")) == [
        (applicant.email, "pending"),
        ("lee@example.kr", "pending"),
    ]

    # When the broker is back and beat's sweep runs once their time has come.
    mails.update(next_attempt_at=timezone.now())
    sweep_notifications.apply_async()

    # Then the worker sends both, once.
    wait_for(lambda: mails.filter(state="sent").count() == 2, what="mail sent by the sweep")
    assert sorted(mails.values_list("recipient", "state", "attempts")) == [
        (applicant.email, "sent", 1),
        ("lee@example.kr", "sent", 1),
    ]
