"""A real `celery -A portal worker` process for tests about workers (pytest fixtures).

The worker runs the test settings against the test database pytest-django created and the
test run's broker, so a task sent by the test is executed exactly as in production: another
process, its own database connection, acknowledgements over Redis. Tests that use it are
`@pytest.mark.django_db(transaction=True)` (the worker cannot see a test's open transaction)
and `@pytest.mark.worker` (so `-m "not worker"` skips them).

Register it once with `pytest_plugins = ["tests.celery_worker"]` in the root conftest, or
import the fixtures into a test module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings

from portal.celery import app as celery_app

QUEUES = "default,scoring,coordination"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def worker_database_url() -> str:
    """DATABASE_URL of the database this test run uses (pytest-django's test_* database)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError(f"a worker needs PostgreSQL, not {db['ENGINE']}")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def purge_broker() -> None:
    """Empty the test broker's Redis database: no message from an earlier test reaches a worker."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        client.flushdb()
    finally:
        client.close()


class CeleryWorker:
    """One worker process; `kill()` is SIGKILL to it and its pool, `restart()` brings it back."""

    def __init__(
        self,
        *,
        log_dir: Path,
        pool: str = "prefork",
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.hostname = f"test-{uuid.uuid4().hex[:10]}@{socket.gethostname()}"
        self.log_path = log_dir / f"{self.hostname.split('@')[0]}.log"
        self.argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--loglevel=INFO",
            f"--queues={QUEUES}",
            f"--hostname={self.hostname}",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": celery_app.conf.broker_url,
            "PYTHONUNBUFFERED": "1",
            # Extra variables for this worker only (e.g. another settings module or SITE_URL).
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.alive:
            raise RuntimeError(f"worker {self.hostname} is already running")
        with self.log_path.open("ab") as log:
            # Its own process group, so kill() reaches the prefork children too.
            self.process = subprocess.Popen(
                self.argv,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until_ready()

    def wait_until_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"worker {self.hostname} exited:\n{self.log_tail()}")
            if celery_app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        self.kill()
        raise RuntimeError(
            f"worker {self.hostname} did not answer in {timeout}s:\n{self.log_tail()}"
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no warm shutdown, unacknowledged work stays so."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), SIGKILL if it takes longer than STOP_TIMEOUT."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # also reaps pool children that outlived their parent

    def restart(self) -> None:
        """Stop if running (warm), then start again under the same hostname."""
        self.stop()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _check_marks(request) -> None:
    db_mark = request.node.get_closest_marker("django_db")
    transaction = db_mark and db_mark.kwargs.get(
        "transaction", bool(db_mark.args and db_mark.args[0])
    )
    if not transaction:
        pytest.fail("a test with a Celery worker needs @pytest.mark.django_db(transaction=True)")
    if request.node.get_closest_marker("worker") is None:
        pytest.fail("a test with a Celery worker needs @pytest.mark.worker")


@pytest.fixture
def celery_worker_factory(request, transactional_db, tmp_path) -> Iterator:
    """Start any number of workers (`celery_worker_factory(pool="solo")`, `env={...}` for extra
    environment variables); all stop at the end."""
    _check_marks(request)
    purge_broker()
    workers: list[CeleryWorker] = []

    def start(**options) -> CeleryWorker:
        worker = CeleryWorker(log_dir=tmp_path, **options)
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker(celery_worker_factory) -> CeleryWorker:
    """One running worker (prefork, one child) consuming default, scoring and coordination."""
    return celery_worker_factory()
