"""Fault injection for tests/test_faults_*.py: a Redis of their own, a switch of the broker the
test process publishes to, slow inserts that hold a worker inside its transaction, the worker's
PostgreSQL sessions, and what a killed worker left unacknowledged in Redis.

Nothing here replaces a real component: the worker, PostgreSQL and Redis are the real ones; the
faults are done to them from outside (SIGKILL, pg_terminate_backend, FLUSHALL, a stopped
server), the way an operator or a crash would.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection
from django.utils import timezone

from fund.coordination.models import CoordinationPacket, PacketState
from fund.coordination.tasks import sweep
from portal.celery import app as celery_app
from tests.celery_worker import worker_database_url

FREE_PORTS = range(6390, 6500)
# The second broker the worker fault tests run on (RabbitMQ beside PostgreSQL and Redis on the
# development and CI machines): its default virtual host unless TEST_AMQP_URL names another.
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = ("redis", "rabbitmq")
QUEUE_NAMES = ("default", "scoring", "coordination")
# kombu's Redis transport keeps each reserved, not yet acknowledged message in this hash.
UNACKED_KEY = "unacked"


def wait_for(condition: Callable, timeout: float = 30.0, interval: float = 0.05, what: str = ""):
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


# ---------------------------------------------------------------------------------------------
# A Redis of the test's own


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ThrowawayRedis:
    """A redis-server on a free port that keeps nothing on disk, so a crash and a new start
    lose every key (what an unpersisted Redis does). The shared Redis on 6379 is never touched.
    """

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed")
        self.port = next((p for p in FREE_PORTS if _port_is_free(p)), None)
        if self.port is None:
            raise RuntimeError(f"no free port in {FREE_PORTS}")
        self.workdir = workdir
        self.log_path = workdir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def answers(self) -> bool:
        client = self.client()
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.workdir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            lambda: self.process.poll() is not None or self.answers(),
            timeout=10,
            what=f"redis-server on port {self.port}",
        )
        if self.process.poll() is not None:
            # Someone took the port between the check and the start: not our server answering.
            raise RuntimeError(f"redis-server on port {self.port} exited; see {self.log_path}")

    def crash(self) -> None:
        """SIGKILL: the server and everything it held are gone at once."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def flushall(self) -> None:
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()


# ---------------------------------------------------------------------------------------------
# The broker the test process publishes to


def reset_broker_connections() -> None:
    """Close the test process's pooled broker connections; the next publish connects afresh
    (and declares its queues again, which a flushed or restarted Redis has forgotten)."""
    kombu.pools.reset()  # closes every pool and forgets it, so no closed pool is handed out
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker_url(url: str) -> Iterator[str]:
    """Point the test process's Celery app at `url` for the block, then back.

    Celery reads CELERY_BROKER_URL from the environment before its own configuration, so both
    are switched, and the pooled connections to the old broker are dropped both ways.
    """
    previous_env = os.environ.get("CELERY_BROKER_URL")
    previous_conf = celery_app.conf.get("broker_url")
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    reset_broker_connections()
    try:
        yield url
    finally:
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        celery_app.conf.broker_url = previous_conf
        reset_broker_connections()


def closed_port_url() -> str:
    """A Redis URL where nothing listens (a port the system just handed out and took back):
    connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def worker_env(*, application_name: str, broker: str | None = None) -> dict[str, str]:
    """Variables for celery_worker_factory(env=...): sessions tagged, optionally another broker."""
    env = {"DATABASE_URL": f"{worker_database_url()}?application_name={application_name}"}
    if broker is not None:
        env["CELERY_BROKER_URL"] = broker
    return env


# ---------------------------------------------------------------------------------------------
# What the worker is doing in PostgreSQL


def backends(application_name: str) -> list[dict]:
    """The worker's sessions on this database: pid, state, wait event, and how long their
    current statement has run (`query_age`, seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pid, state, wait_event, EXTRACT(EPOCH FROM clock_timestamp() - query_start)
            FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = %s
            """,
            [application_name],
        )
        return [
            {"pid": pid, "state": state, "wait_event": wait, "query_age": float(age or 0)}
            for pid, state, wait, age in cursor.fetchall()
        ]


def sleeping_backend(application_name: str, *, within: float | None = None) -> dict | None:
    """The worker's session that is inside a slowed insert (see `slow_inserts`), if any; with
    `within`, only if that insert started less than `within` seconds ago."""
    return next(
        (
            b
            for b in backends(application_name)
            if b["wait_event"] == "PgSleep" and (within is None or b["query_age"] < within)
        ),
        None,
    )


def terminate_backend(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return cursor.fetchone()[0]


@contextmanager
def slow_inserts(*tables: str, seconds: float) -> Iterator[None]:
    """Every INSERT statement into `tables` sleeps `seconds` after writing its rows.

    A worker doing such an insert is then visibly inside its transaction (pg_stat_activity
    wait event `PgSleep`) with uncommitted rows, which is where a kill or a terminated
    connection does the most harm. The triggers are schema, not data, so they are dropped
    here whatever happens (a transactional test's flush would not remove them).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION fault_slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_sleep({float(seconds)}); RETURN NULL; END $$"
        )
        for table in tables:
            cursor.execute(
                f'CREATE TRIGGER fault_slow_insert AFTER INSERT ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION fault_slow_insert()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'DROP TRIGGER IF EXISTS fault_slow_insert ON "{table}"')
            cursor.execute("DROP FUNCTION IF EXISTS fault_slow_insert()")


# ---------------------------------------------------------------------------------------------
# What Redis still holds for a killed worker


def unacked_messages(url: str | None = None) -> dict[str, tuple[str, list]]:
    """Reserved but unacknowledged messages: delivery tag → (task name, args).

    A worker killed while it ran a task (acks_late) leaves its message here; kombu puts it back
    on the queue only after the visibility timeout (an hour), so until then the outbox sweep or
    a resumed rescore is what brings the work back.
    """
    client = redis.Redis.from_url(url or celery_app.conf.broker_url)
    try:
        raw = client.hgetall(UNACKED_KEY)
    finally:
        client.close()
    messages = {}
    for tag, value in raw.items():
        payload = json.loads(value)[0]
        body = payload["body"]
        if payload["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        messages[tag.decode()] = (payload["headers"]["task"], args)
    return messages


# ---------------------------------------------------------------------------------------------
# The broker a test runs on: Redis (the test run's) or RabbitMQ


class Broker:
    """The broker of one parametrized run: `kind` is "redis" or "rabbitmq", `url` its URL."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind, self.url = kind, url

    @property
    def durable(self) -> bool:
        """RabbitMQ puts a dead consumer's unacknowledged message back on its queue at once;
        kombu's Redis transport keeps it aside until the visibility timeout (an hour)."""
        return self.kind == "rabbitmq"

    def ready(self, queue: str) -> int:
        """Messages waiting in `queue` (not those a worker holds)."""
        with kombu.Connection(self.url, connect_timeout=5) as conn:
            channel = conn.channel()
            try:
                return channel.queue_declare(queue, passive=True).message_count
            except Exception:  # a queue not declared yet holds nothing
                return 0
            finally:
                with contextlib.suppress(Exception):
                    channel.close()

    def purge(self) -> None:
        if self.kind == "redis":
            client = redis.Redis.from_url(self.url)
            try:
                client.flushdb()
            finally:
                client.close()
            return
        with kombu.Connection(self.url, connect_timeout=5) as conn:
            for queue in QUEUE_NAMES:
                channel = conn.channel()
                try:
                    channel.queue_purge(queue)
                except Exception:  # noqa: S110 (a queue not declared yet holds nothing)
                    pass
                finally:
                    with contextlib.suppress(Exception):
                        channel.close()


@pytest.fixture(name="broker", params=BROKERS)
def broker_fixture(request, celery_worker_factory) -> Iterator[Broker]:
    """Run the test once on Redis and once on RabbitMQ: the test process publishes to it and
    the workers it starts (tagged_worker(name, broker=broker.url)) consume from it."""
    if request.param == "redis":
        yield Broker("redis", celery_app.conf.broker_url)
        return
    broker = Broker("rabbitmq", AMQP_URL)
    with broker_url(AMQP_URL):
        broker.purge()
        try:
            yield broker
        finally:
            broker.purge()


# ---------------------------------------------------------------------------------------------
# Fixtures: a test module imports `tagged_worker_fixture` (the fixture is `tagged_worker`)


@pytest.fixture(name="tagged_worker")
def tagged_worker_fixture(celery_worker_factory):
    """Start workers whose PostgreSQL sessions carry an application_name (to find and
    terminate them); any still running at the end is SIGKILLed, not stopped warm: a warm stop
    waits for a broker that a fault test may have taken away, and takes seconds anyway."""
    workers = []

    def start(name: str, *, broker: str | None = None):
        worker = celery_worker_factory(env=worker_env(application_name=name, broker=broker))
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture(name="throwaway_redis")
def throwaway_redis_fixture(tmp_path) -> Iterator[ThrowawayRedis]:
    """A running Redis of the test's own (see ThrowawayRedis), gone after the test."""
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.crash()


# ---------------------------------------------------------------------------------------------
# The outbox sweep, as beat would run it


def sweep_until_delivered(*, expected: int, timeout: float = 60.0) -> int:
    """Let time pass (every pending packet is due) and send beat's sweep to the worker, again
    until all `expected` packets are delivered; return how many sweeps that took."""

    def all_delivered() -> bool:
        packets = CoordinationPacket.objects.all()
        return (
            packets.count() == expected
            and not packets.exclude(state=PacketState.DELIVERED).exists()
        )

    deadline = time.monotonic() + timeout
    sweeps = 0
    while not all_delivered():
        if time.monotonic() > deadline:
            raise AssertionError(f"{timeout}s and {sweeps} sweeps did not deliver every packet")
        CoordinationPacket.objects.filter(state=PacketState.PENDING).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        sweep.apply_async(queue="coordination")
        sweeps += 1
        with contextlib.suppress(AssertionError):
            wait_for(all_delivered, timeout=5, what="delivery")
    return sweeps
