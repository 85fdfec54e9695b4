"""GET /healthz against the real database, the real broker and a real worker process."""

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
def test_healthz_is_200_with_every_component_up_when_a_worker_runs(client, celery_worker):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": True, "mode": "broker"},
        "workers": {"ok": True, "count": 1, "names": [celery_worker.hostname]},
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_counts_every_running_worker(client, celery_worker_factory):
    first = celery_worker_factory(pool="solo")
    second = celery_worker_factory(pool="solo")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["workers"] == {
        "ok": True,
        "count": 2,
        "names": sorted([first.hostname, second.hostname]),
    }


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_once_the_only_worker_is_killed(client, celery_worker):
    celery_worker.kill()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["workers"] == {"ok": False, "count": 0, "names": []}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_again_after_the_worker_restarts(client, celery_worker):
    celery_worker.kill()
    celery_worker.restart()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["workers"] == {
        "ok": True,
        "count": 1,
        "names": [celery_worker.hostname],
    }


@pytest.mark.django_db
def test_healthz_is_503_with_workers_down_when_the_broker_is_up_but_no_worker_runs(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": True, "mode": "broker"},
        "workers": {"ok": False, "count": 0, "names": []},
    }


@pytest.mark.django_db
def test_healthz_is_503_with_broker_down_when_nothing_listens_on_the_broker_port(
    client, broker_url, closed_port
):
    broker_url(f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": False, "error": "OperationalError"},
        "workers": {"ok": False, "count": 0, "names": [], "error": "broker down"},
    }


@pytest.mark.django_db
def test_healthz_is_200_in_process_when_no_broker_is_configured(client, in_process_tasks):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": True, "mode": "in-process"},
        "workers": {"ok": True, "mode": "in-process", "count": 0, "names": []},
    }


@pytest.mark.django_db
def test_healthz_answers_json_that_no_cache_may_keep(client, in_process_tasks):
    response = client.get("/healthz")

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == NEVER_CACHE
    assert response.has_header("Expires")


@pytest.mark.django_db
def test_healthz_answers_head_with_the_same_status_and_no_body(client, in_process_tasks):
    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
def test_healthz_refuses_post(client, in_process_tasks):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
