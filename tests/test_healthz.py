"""GET /healthz (liveness), GET /readyz (readiness) and the staff's system status page, against
the real database, the real broker and real worker processes."""

import socket

import pytest

from portal.celery import app as celery_app

NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture
def closed_port():
    """A local TCP port nobody listens on: bound once to pick it, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app at another broker URL for one test; monkeypatch restores it.

    Celery reads CELERY_BROKER_URL from the environment before its own configuration, so both
    are changed.
    """

    def point_at(url):
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)

    return point_at


@pytest.fixture
def in_process_tasks(monkeypatch):
    """The laptop demo's configuration: no broker, tasks run in the web process."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_with_every_component_up_when_a_worker_runs(client, celery_worker):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "broker": {"ok": True, "mode": "broker"},
        "workers": {"ok": True, "count": 1},
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_counts_every_running_worker(client, celery_worker_factory):
    first = celery_worker_factory(pool="solo")
    second = celery_worker_factory(pool="solo")

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["workers"] == {"ok": True, "count": 2}
    # No host name leaves the portal.
    assert first.hostname not in response.content.decode()
    assert second.hostname not in response.content.decode()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_once_the_only_worker_is_killed(client, celery_worker):
    celery_worker.kill()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["workers"] == {"ok": False, "count": 0}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_again_after_the_worker_restarts(client, celery_worker):
    celery_worker.kill()
    celery_worker.restart()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["workers"] == {"ok": True, "count": 1}


@pytest.mark.django_db
def test_readyz_is_503_with_workers_down_when_the_broker_is_up_but_no_worker_runs(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True},
        "broker": {"ok": True, "mode": "broker"},
        "workers": {"ok": False, "count": 0},
    }


@pytest.mark.django_db
def test_readyz_is_503_with_broker_down_when_nothing_listens_on_the_broker_port(
    client, broker_url, closed_port
):
    broker_url(f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True},
        "broker": {"ok": False, "error": "OperationalError"},
        "workers": {"ok": False, "count": 0, "error": "broker down"},
    }


@pytest.mark.django_db
def test_readyz_is_200_in_process_when_no_broker_is_configured(client, in_process_tasks):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "broker": {"ok": True, "mode": "in-process"},
        "workers": {"ok": True, "mode": "in-process", "count": 0},
    }


@pytest.mark.django_db
def test_readyz_answers_json_that_no_cache_may_keep(client, in_process_tasks):
    response = client.get("/readyz")

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == NEVER_CACHE
    assert response.has_header("Expires")


@pytest.mark.django_db
def test_readyz_answers_head_with_the_same_status_and_no_body(client, in_process_tasks):
    response = client.head("/readyz")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
def test_readyz_refuses_post(client, in_process_tasks):
    response = client.post("/readyz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# ---------------------------------------------------------------------------------------------
# Liveness


@pytest.mark.django_db
def test_healthz_answers_ok_with_no_internals(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == NEVER_CACHE


@pytest.mark.django_db
def test_healthz_needs_neither_broker_nor_workers(client, broker_url, closed_port):
    # The broker is down and no worker runs: the web process itself is alive.
    broker_url(f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_reuses_one_worker_ping_for_its_cache_seconds(client, settings, monkeypatch):
    from portal import health

    settings.READYZ_CACHE_SECONDS = 60
    monkeypatch.setattr(health, "_pinged", {})
    pings = []
    real_ping = celery_app.control.ping

    def counted_ping(*args, **kwargs):
        pings.append(1)
        return real_ping(*args, **kwargs)

    monkeypatch.setattr(celery_app.control, "ping", counted_ping)
    answers = [client.get("/readyz").status_code for _ in range(5)]

    assert answers == [503] * 5  # the broker answers; no worker runs
    assert len(pings) == 1


# ---------------------------------------------------------------------------------------------
# The system status page


@pytest.fixture
def operator(db):
    from tests.factories import UserFactory

    return UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_the_status_page_is_for_staff_only(client, applicant, keit):
    anonymous = client.get("/system/status/")
    client.force_login(applicant)
    as_applicant = client.get("/system/status/")
    client.force_login(keit)
    as_keit = client.get("/system/status/")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert (as_applicant.status_code, as_keit.status_code) == (404, 404)


@pytest.mark.django_db
def test_the_status_page_shows_backlogs_and_the_last_periodic_runs(client, operator, keit):
    from fund.coordination import services as coordination
    from fund.coordination.models import CoordinationPacket
    from portal.core.models import Notification
    from portal.core.queue import record_periodic_run
    from tests.pipeline_support import submitted_proposal

    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")
    CoordinationPacket.objects.filter(pk=packet.pk).update(state="stuck")
    Notification.objects.create(
        recipient="kdb@example.kr",
        kind="decision",
        subject="s",
        body="b",
        state="failed",
        dedupe_key="test:failed",
    )
    record_periodic_run("coordination.sweep")
    record_periodic_run("not.a.periodic.task")
    client.force_login(operator)

    response = client.get("/system/status/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-part="packets-stuck"' in html
    status = response.context["status"]
    assert (status["packets_stuck"]["count"], status["mail_failed"]["count"]) == (1, 1)
    assert status["database"]["ok"] is True
    runs = {row["task"]: row["age"] for row in status["periodic"]}
    assert runs["coordination.sweep"] in (0, 1, 2)  # seconds since it was recorded
    assert runs["alliance.notifications_sweep"] is None
    assert "not.a.periodic.task" not in runs
