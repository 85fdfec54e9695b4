"""`make bench`: every benchmark of issue 7, each next to its floor measured in the same run.

Starts what it needs (a fresh `portal_bench` database cloned from a migrated and seeded
template, Redis db 13, a Celery worker, gunicorn with 2 workers under
portal.settings.bench), loads data with `generate_proposals`, runs the benchmarks, prints a
table and writes bench/results.json. `--quick` runs everything at a tenth of the size.

Absolute times are printed, never asserted: the machine is shared and noisy, so the ratios
to the floors are what to compare between runs.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import data, report  # noqa: E402
from bench.load import load_tool  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
# The cache is Redis whichever broker runs (with RabbitMQ as broker, Redis stays the cache).
CACHE_URL = os.environ.get(
    "BENCH_CACHE_URL", BROKER_URL if BROKER_URL.startswith("redis") else "redis://127.0.0.1:6379/13"
)
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results.json"))
FULL = {
    "proposals": 100_000,
    "drain": 10_000,
    "samples": 100,
    "http_seconds": 30,
    "deep_item": 90_000,
}
QUICK = {
    "proposals": 10_000,
    "drain": 1_000,
    "samples": 20,
    "http_seconds": 3,
    "deep_item": 9_000,
}
CONNECTIONS = 16
# Processes per worker node (as docker-compose's WORKER_CONCURRENCY default).
WORKER_PROCESSES = 2
# Drafts generated per routing sample, to pick the ones the demo policy routes from.
ROUTING_POOL = 4
# Source files whose change makes the migrated + seeded template database stale.
TEMPLATE_SOURCES = ("alliance", "fund", "matching", "portal/settings")


_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Environment and processes


def machine() -> dict:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": list(os.getloadavg()),
    }


def child_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "CACHE_URL": CACHE_URL,
            "BENCH_FLOOR_DIR": str(FLOOR_DIR),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


FLOOR_DIR = Path(tempfile.mkdtemp(prefix="portal-bench-floor-"))
LOG_DIR = Path(tempfile.mkdtemp(prefix="portal-bench-logs-"))


def manage(*args: str, db_url: str = DATABASE_URL, quiet: bool = True) -> float:
    """Run a management command in a fresh process; returns its wall time in seconds."""
    env = child_env()
    env["DATABASE_URL"] = db_url
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=quiet,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


class Process:
    """A child process in its own process group, stopped (only it) on exit."""

    def __init__(self, name: str, args: list[str]):
        self.name = name
        self.log_path = LOG_DIR / f"{name}.log"
        self.handle = subprocess.Popen(  # noqa: S603 (fixed commands of this script)
            args,
            cwd=ROOT,
            env=child_env(),
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.handle.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.handle.pid, signal.SIGTERM)
        try:
            self.handle.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.handle.pid, signal.SIGKILL)
            self.handle.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_params(url: str, dbname: str | None = None) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or None,
        "dbname": dbname or parts.path.lstrip("/"),
    }


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{dbname}").geturl()


def sources_hash() -> str:
    digest = hashlib.sha256()
    for folder in TEMPLATE_SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def fresh_database() -> None:
    """portal_bench = a copy of a template that was migrated and seeded from these sources.

    Migrating and seeding take ~20 s; cloning a template takes one. The template's name carries
    a hash of the apps' sources, so any code change builds a new one.
    """
    import psycopg2

    name = _pg_params(DATABASE_URL)["dbname"]
    template = f"{name}_tpl_{sources_hash()}"
    admin = psycopg2.connect(**_pg_params(DATABASE_URL, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if cur.fetchone() is None:
            cur.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}\\_tpl\\_%"]
            )
            for (old,) in cur.fetchall():
                cur.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            log(f"템플릿 DB 생성 / building template database {template} (migrate + seed_demo)")
            cur.execute(f'CREATE DATABASE "{template}"')
            url = _with_db(DATABASE_URL, template)
            manage("migrate", "--noinput", "-v", "0", db_url=url)
            manage("seed_demo", db_url=url)
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.close()


def analyze(pg) -> None:
    """ANALYZE after a bulk load (not timed). On a live system autovacuum does it within a
    minute of such a change; without it the planner still believes the tables are as small
    as the seed left them and picks nested loops over 100,000 rows."""
    started = time.perf_counter()
    with pg.cursor() as cur:
        cur.execute("ANALYZE")
    pg.commit()
    log(f"ANALYZE ({time.perf_counter() - started:.1f} s, not timed)")


def flush_redis() -> None:
    """Empty the run's own Redis database (cache, and the broker when it is Redis)."""
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()
    if BROKER_URL.startswith("redis") and BROKER_URL != CACHE_URL:
        redis.Redis.from_url(BROKER_URL).flushdb()


def purge_queues() -> None:
    """Drop what an earlier run left in the worker queues (RabbitMQ keeps durable queues)."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for name in QUEUES:
            try:
                channel.queue_purge(name)
            except Exception:
                channel = conn.channel()
                continue


def collect_static() -> None:
    """collectstatic for whitenoise's manifest, skipped when nothing changed since the last."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        newest = max(
            (p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()), default=0
        )
        stamp = max(
            (p.stat().st_mtime for p in (ROOT / "node_modules").glob(".installed-*")), default=0
        )
        if manifest.stat().st_mtime > max(newest, stamp):
            return
    manage("collectstatic", "--noinput", "-v", "0")


def setup_django() -> None:
    os.environ.update(child_env())
    import django

    django.setup()


def wait_for(check, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


QUEUES = ("default", "scoring", "coordination")


def queued() -> dict[str, int]:
    """Messages waiting in each of the workers' queues (Redis or RabbitMQ, through kombu)."""
    from portal.celery import app

    counts = {}
    with app.connection_for_write() as conn:
        channel = conn.channel()
        try:
            for name in QUEUES:
                try:
                    counts[name] = channel.queue_declare(name, passive=True).message_count
                except Exception:  # a queue nobody declared yet (RabbitMQ): nothing in it
                    channel = conn.channel()
                    counts[name] = 0
        finally:
            channel.close()
    return counts


def queues_empty() -> bool:
    return not any(queued().values())


def wait_idle(what: str, timeout: float = 1800) -> tuple[dict[str, int], float]:
    """Wait until the worker's queues are empty; returns what was queued and how long it took."""
    left = queued()
    started = time.perf_counter()
    if any(left.values()):
        log(f"대기 / waiting for {what}: queued {left}")
        wait_for(queues_empty, timeout=timeout, interval=0.2, what=what)
    return left, time.perf_counter() - started


# Worker nodes per queue, as Procfile.dev and docker-compose run them: scoring, coordination,
# and mail (the default queue: mail and the housekeeping sweeps).
NODES = {"scoring": "scoring", "coordination": "coordination", "mail": "default"}


def start_worker(name: str, queues: str, concurrency: int = WORKER_PROCESSES) -> Process:
    """One named worker node (`<name>@<host>`) consuming `queues`; waits until it answers."""
    from portal.celery import app

    node = f"{name}@{socket.gethostname()}"
    worker = Process(
        f"celery-{name}",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--queues={queues}",
            f"--concurrency={concurrency}",
            f"--loglevel={os.environ.get('BENCH_WORKER_LOGLEVEL', 'WARNING')}",
            f"--hostname={node}",
            "--without-gossip",
            "--without-mingle",
        ],
    )
    wait_for(
        lambda: not worker.alive() or app.control.ping(destination=[node], timeout=0.5),
        timeout=60,
        interval=0.5,
        what=f"the Celery worker {node}",
    )
    if not worker.alive():
        raise SystemExit(f"the Celery worker {node} did not start: see {worker.log_path}")
    return worker


def start_workers() -> dict[str, Process]:
    return {
        name: start_worker(name, queue, concurrency=1 if name == "mail" else WORKER_PROCESSES)
        for name, queue in NODES.items()
    }


def start_beat() -> Process:
    """Celery beat with production's schedule: the coordination sweep every 15 s and the rest."""
    return Process(
        "celery-beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "beat",
            "--loglevel=WARNING",
            f"--schedule={LOG_DIR / 'celerybeat-schedule'}",
        ],
    )


def start_gunicorn(port: int) -> Process:
    web = Process(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-tmp-dir",
            # As the Dockerfile: heartbeat files in memory, not on a slow disk.
            "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),  # noqa: S108
            "--timeout",
            "60",
            "--no-control-socket",
        ],
    )

    def up():
        if not web.alive():
            return True
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_for(up, timeout=60, interval=0.3, what="gunicorn")
    if not web.alive():
        raise SystemExit(f"gunicorn did not start: see {web.log_path}")
    return web


# ---------------------------------------------------------------------------------------------
# Benchmarks


def bench_engine(scale: float) -> report.Metric:
    """Evaluations per second of the pure engine on one core under the active rule set."""
    from matching import selectors
    from matching.bench import REMAINING, synthetic
    from matching.models import compiled_rule_set
    from matching.scoring import evaluate

    rules = compiled_rule_set(selectors.active_rule_set())
    proposals = synthetic(int(50_000 * max(scale, 0.2)))
    channels = [(c, REMAINING[c.code]) for c in rules.channels]
    best = 0.0
    for _ in range(3):  # best of three: the machine is shared
        started = time.perf_counter()
        for p in proposals:
            for channel, left in channels:
                evaluate(channel, p, left)
        best = max(best, len(proposals) * len(channels) / (time.perf_counter() - started))
    return report.Metric(
        name="engine throughput",
        ours=report.fmt_rate(best),
        target="≥ 100,000/s",
        met=best >= 100_000,
        note=f"{len(proposals):,} synthetic proposals × 4 channels, best of 3, one core",
        raw={"evaluations_per_second": best},
    )


def bench_load(count: int, scale: float) -> report.Metric:
    seconds = manage("generate_proposals", "--count", str(count), "--seed", "1", "-v", "0")
    limit = report.scaled_limit(30, scale)
    return report.Metric(
        name="load data",
        ours=report.fmt_seconds(seconds),
        target=f"≤ {limit:g} s" + (" (scaled)" if scale < 1 else ""),
        met=seconds <= limit,
        note=f"generate_proposals --count {count:,} (wall time of the command)",
        raw={"seconds": seconds, "count": count},
    )


def _db_backends(pg) -> list[int]:
    """Server processes of the bench database's other sessions (the workers'), not this
    script's own."""
    from django.db import connection

    connection.ensure_connection()
    own = {pg.get_backend_pid(), connection.connection.get_backend_pid()}
    with pg.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cur.fetchall() if row[0] not in own]
    pg.commit()
    return pids


class CpuMeter:
    """CPU seconds used by the given worker processes (and their pools) and by the PostgreSQL
    sessions of the bench database other than this script's, between start() and stop().

    Sessions come and go (a pool child may reconnect), so a thread samples them every 0.1 s
    and keeps each one's last reading: a session that ends loses at most its last 0.1 s."""

    def __init__(self, pg, workers: list[Process]):
        self.pg, self.workers = pg, workers
        self.done = threading.Event()

    def _tree(self) -> list[int]:
        return [pid for w in self.workers for pid in data.process_tree(w.handle.pid)]

    def _sample_sessions(self, skip: set[int]) -> None:
        import psycopg2

        conn = psycopg2.connect(**_pg_params(DATABASE_URL))
        conn.autocommit = True
        skip = skip | {conn.get_backend_pid()}
        try:
            with conn.cursor() as cur:
                while True:
                    cur.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend'"
                    )
                    pids = [row[0] for row in cur.fetchall() if row[0] not in skip]
                    self.last.update(data.cpu_seconds(pids))
                    if self.done.wait(0.1):
                        break
        finally:
            conn.close()

    def start(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        skip = {self.pg.get_backend_pid(), connection.connection.get_backend_pid()}
        self.tree_before = data.cpu_seconds(self._tree())
        self.before = data.cpu_seconds(_db_backends(self.pg))
        self.last = dict(self.before)
        self.sampler = threading.Thread(target=self._sample_sessions, args=(skip,), daemon=True)
        self.sampler.start()

    def stop(self) -> dict:
        self.done.set()
        self.sampler.join()
        tree_after = data.cpu_seconds(self._tree())
        worker = sum(v - self.tree_before.get(p, 0.0) for p, v in tree_after.items())
        server = sum(v - self.before.get(p, 0.0) for p, v in self.last.items())
        return {
            "worker_cpu_seconds": worker,
            "server_cpu_seconds": server,
            "cpu_seconds": worker + server,
        }


def bench_rescore(pg, scale: float, workers: list[Process]):
    """Activate a new rule set (a copy of the active one) and time the worker's full rescore;
    the floor reads the same inputs and writes the same rows with the same parallelism."""
    from alliance.models import User
    from matching import services
    from matching.models import RescoreRun

    kdb = User.objects.get(username="kdb")
    draft = services.rule_set_create_draft(actor=kdb)
    meter = CpuMeter(pg, workers)
    meter.start()
    started = time.time()
    run = services.rule_set_activate(rule_set_id=draft.pk, actor=kdb)
    finished = wait_for(
        lambda: (
            RescoreRun.objects.filter(pk=run.pk, finished_at__isnull=False)
            .values_list("finished_at", flat=True)
            .first()
        ),
        timeout=1800,
        interval=0.1,
        what="the full rescore",
    )
    ours = finished.timestamp() - started
    cpu = meter.stop()
    rows = data.result_rows(pg, draft.pk)
    stored = rows.getvalue().count("\n")
    floor = data.rescore_floor(_pg_params(DATABASE_URL), rows, streams=WORKER_PROCESSES)
    ratio = report.ratio(ours, floor["seconds"])
    limit = report.scaled_limit(20, scale)
    per_k_ours = cpu["cpu_seconds"] / stored * 1000 if stored else None
    per_k_floor = floor["cpu_seconds"] / stored * 1000 if stored else None
    metric = report.Metric(
        name="full rescore",
        ours=report.fmt_seconds(ours),
        floor=report.fmt_seconds(floor["seconds"]),
        ratio=ratio,
        target=f"≤ {limit:g} s" + (" (scaled)" if scale < 1 else "") + " and ≤ 3×",
        met=ours <= limit and ratio is not None and ratio <= 3,
        note=(
            f"{run.total_proposals:,} proposals × 4 = {stored:,} results by the worker "
            f"({WORKER_PROCESSES} processes, batches of {run.batch_size}); floor: "
            f"{floor['streams']} parallel psycopg2 streams, each a SELECT of its share of the "
            f"{floor['read']:,} inputs + COPY of the same rows; CPU per 1,000 results: ours "
            f"{per_k_ours:.3f} s (worker {cpu['worker_cpu_seconds']:.1f} s + PostgreSQL "
            f"{cpu['server_cpu_seconds']:.1f} s), floor {per_k_floor:.3f} s (client "
            f"{floor['client_cpu_seconds']:.1f} s + PostgreSQL "
            f"{floor['server_cpu_seconds']:.1f} s)"
        ),
        raw={
            "seconds": ours,
            "floor_seconds": floor["seconds"],
            "proposals": run.total_proposals,
            "results": stored,
            "cpu": cpu,
            "floor": floor,
            "cpu_seconds_per_1k_results": per_k_ours,
            "floor_cpu_seconds_per_1k_results": per_k_floor,
        },
    )
    return metric, draft


def bench_drain(*, lo: int, hi: int, scale: float) -> report.Metric:
    """KEIT refers N scored proposals through its bulk referral (the screening page's service,
    200 ticked at a time, 2 KEIT staff at once); the coordination node delivers them with
    production's settings, beat's sweep running as configured. Timed from the first referral
    to the last packet delivered: the N referrals, and the N status packets that the intakes
    send back to KEIT."""
    from django.db.models import Max, Min

    from alliance.models import Proposal, User
    from fund.coordination import services as coordination
    from fund.coordination.models import CoordinationPacket, PacketKind, PacketState
    from fund.coordination.views import MAX_BULK

    keit = User.objects.get(username="keit")
    ids = list(
        Proposal.objects.filter(pk__gte=lo, pk__lte=hi, status="submitted")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chunks = [ids[i : i + MAX_BULK] for i in range(0, len(ids), MAX_BULK)]
    failures, refused_total, referred = [], [0], [0]
    lock = threading.Lock()

    def refer(share: list[list[int]]) -> None:
        from django.db import connection as thread_connection

        try:
            for chunk in share:
                packets, refused = coordination.proposal_refer_many(
                    proposal_ids=chunk, actor=keit, note="bench"
                )
                # No channel matched: KEIT names one itself (the page asks for it then).
                again = [pk for pk in refused if pk in set(chunk)]
                more = []
                if again:
                    more, still = coordination.proposal_refer_many(
                        proposal_ids=again, actor=keit, note="bench", channel="loan"
                    )
                    with lock:
                        refused_total[0] += len(still)
                with lock:
                    referred[0] += len(packets) + len(more)
        except Exception as exc:  # reported in the table, not swallowed
            failures.append(repr(exc))
        finally:
            thread_connection.close()

    started, wall = time.perf_counter(), time.time()
    threads = [threading.Thread(target=refer, args=(chunks[k::2],), daemon=True) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    referred_in = time.perf_counter() - started
    mine = CoordinationPacket.objects.filter(proposal_id__gte=lo, proposal_id__lte=hi)

    # What the database holds is what was referred (the threads' own count is reported too).
    expected = mine.filter(kind=PacketKind.REFERRAL).count()

    def all_delivered():
        return (
            not mine.filter(state=PacketState.PENDING).exists()
            and mine.filter(kind=PacketKind.RECEIVED).count() >= expected
        )

    wait_for(all_delivered, timeout=1800, interval=0.1, what="the referrals and status packets")
    waited = time.perf_counter() - started
    span = mine.aggregate(first=Min("created_at"), last=Max("delivered_at"))
    total = span["last"].timestamp() - wall if span["last"] else None
    counts = {
        kind: mine.filter(kind=kind).count()
        for kind in mine.values_list("kind", flat=True).distinct()
    }
    sent_again = mine.filter(attempts__gt=1).count()
    limit = report.scaled_limit(30, scale)
    note = (
        f"{expected:,} of {len(ids):,} proposals referred through "
        f"fund.coordination.proposal_refer_many ({MAX_BULK} a call, 2 KEIT threads) in "
        f"{referred_in:.1f} s; packets delivered by the coordination node "
        f"({', '.join(f'{k} {n:,}' for k, n in sorted(counts.items()))}); "
        f"{sent_again:,} re-sent by the sweep; polling saw the end at {waited:.1f} s"
    )
    if failures or refused_total[0]:
        note += f"; {refused_total[0]} refused, errors: {failures[:2]}"
    return report.Metric(
        name="queue drain",
        ours=report.fmt_seconds(total),
        target=f"≤ {limit:g} s" + (" (scaled)" if scale < 1 else ""),
        met=total is not None and total <= limit and not failures and not refused_total[0],
        note=note,
        raw={
            "seconds": total,
            "referred_seconds": referred_in,
            "packets": counts,
            "referrals": expected,
            "referrals_counted_by_threads": referred[0],
            "resent_by_sweep": sent_again,
        },
    )


def bench_scale_out(pg, scale: float, workers: dict) -> report.Metric:
    """The same full rescore with one scoring node of one process, then with two such nodes
    (named scoring-1 and scoring-2): the ratio of the two times."""
    from alliance.models import User
    from matching import services
    from matching.models import RescoreRun

    kdb = User.objects.get(username="kdb")
    workers.pop("scoring").stop()
    times, nodes = {}, []
    try:
        for count in (1, 2):
            while len(nodes) < count:
                nodes.append(start_worker(f"scoring-{len(nodes) + 1}", "scoring", concurrency=1))
            draft = services.rule_set_create_draft(actor=kdb)
            started = time.time()
            run = services.rule_set_activate(rule_set_id=draft.pk, actor=kdb)
            finished = wait_for(
                lambda run=run: (
                    RescoreRun.objects.filter(pk=run.pk, finished_at__isnull=False)
                    .values_list("finished_at", flat=True)
                    .first()
                ),
                timeout=1800,
                interval=0.1,
                what=f"the rescore on {count} node(s)",
            )
            times[count] = finished.timestamp() - started
            analyze(pg)
    finally:
        for node in nodes:
            node.stop()
        workers["scoring"] = start_worker("scoring", "scoring")
    speedup = report.ratio(times[1], times[2])
    return report.Metric(
        name="scale-out (rescore, 2 nodes vs 1)",
        ours=f"{report.fmt_seconds(times[2])} on 2 nodes",
        floor=f"{report.fmt_seconds(times[1])} on 1 node",
        ratio=speedup,
        ratio_label="faster",
        target="≥ 1.6× faster",
        met=speedup is not None and speedup >= 1.6,
        note=(
            f"{run.total_proposals:,} proposals × 4; each node one process (-c 1), named "
            f"scoring-1 and scoring-2, consuming the scoring queue; this machine has "
            f"{os.cpu_count()} cores shared with PostgreSQL and everything else"
        ),
        raw={"one_node_seconds": times[1], "two_nodes_seconds": times[2]},
    )


def _poll(sql: str, params, done, *, timeout: float = 60) -> float:
    from django.db import connection

    deadline = time.perf_counter() + timeout
    with connection.cursor() as cur:
        while True:
            cur.execute(sql, params)
            if done(cur.fetchone()):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out polling {sql % tuple(params)}")
            time.sleep(0.002)


def _applicants(proposals) -> dict:
    """An active lead firm and an applicant of it for each proposal's firm (firm id → user)."""
    from django.contrib.auth.models import Group

    from alliance.models import Firm, User
    from portal.core.vocabulary import FirmStatus, Role

    group = Group.objects.get(name=Role.APPLICANT)
    Firm.objects.filter(pk__in={p.firm_id for p in proposals}).update(status=FirmStatus.ACTIVE)
    users = {}
    for firm_id in {p.firm_id for p in proposals}:
        user, _ = User.objects.get_or_create(
            username=f"bench-applicant-{firm_id}", defaults={"firm_id": firm_id}
        )
        user.groups.add(group)
        users[firm_id] = user
    return users


def bench_submit(ids: list[int], rule_set) -> tuple[report.Metric, list[int]]:
    """Submit drafts one at a time (idle worker); time until all four results are stored."""
    from alliance.models import Proposal
    from alliance.proposals.services import proposal_submit

    proposals = list(Proposal.objects.filter(pk__in=ids).order_by("pk"))
    users = _applicants(proposals)
    latencies, calls = [], []
    sql = "SELECT count(*) FROM matching_matchresult WHERE proposal_id = %s AND rule_set_id = %s"
    for p in proposals:
        started = time.perf_counter()
        proposal_submit(proposal_id=p.pk, actor=users[p.firm_id])
        returned = time.perf_counter()
        stored = _poll(sql, [p.pk, rule_set.pk], lambda row: row[0] >= 4)
        calls.append((returned - started) * 1000)
        latencies.append((stored - returned) * 1000)
    p50, p95 = report.percentile(latencies, 50), report.percentile(latencies, 95)
    return (
        report.Metric(
            name="submit to scored",
            ours=f"p50 {report.fmt_ms(p50)}, p95 {report.fmt_ms(p95)}",
            target="p95 ≤ 500 ms",
            met=p95 <= 500,
            note=(
                f"{len(proposals)} submissions through alliance.services.proposal_submit, one "
                f"at a time; from the call returning (p50 {report.percentile(calls, 50):.1f} ms) "
                f"to 4 results stored"
            ),
            raw={"p50_ms": p50, "p95_ms": p95, "samples": latencies, "call_ms": calls},
        ),
        [p.pk for p in proposals],
    )


def bench_referral(ids: list[int]) -> report.Metric:
    """Refer scored proposals one at a time (idle worker); time until the fund inbox has it."""
    from alliance.models import User
    from fund.coordination import services as coordination
    from matching.models import MatchResult

    keit = User.objects.get(username="keit")
    latencies = []
    sql = "SELECT count(*) FROM fund_fundinbox WHERE packet_id = %s"
    matched = set(
        MatchResult.objects.filter(proposal_id__in=ids, eligible=True).values_list(
            "proposal_id", flat=True
        )
    )
    for pk in ids:
        # KEIT names the channel itself when none matched (the service asks for one then).
        channel = "" if pk in matched else "loan"
        started = time.perf_counter()
        packet = coordination.proposal_refer(
            proposal_id=pk, actor=keit, note="bench", channel=channel
        )
        inbox = _poll(sql, [packet.pk], lambda row: row[0] == 1)
        latencies.append((inbox - started) * 1000)
    p50, p95 = report.percentile(latencies, 50), report.percentile(latencies, 95)
    return report.Metric(
        name="referral to inbox",
        ours=f"p50 {report.fmt_ms(p50)}, p95 {report.fmt_ms(p95)}",
        target="p95 ≤ 1 s",
        met=p95 <= 1000,
        note=(
            f"{len(ids)} referrals through fund.coordination.proposal_refer, one at a time; "
            "from the call to the FundInbox row"
        ),
        raw={"p50_ms": p50, "p95_ms": p95, "samples": latencies},
    )


ROUTING_MIN_SCORE = 70


def routable(ids: list[int], count: int) -> list[int]:
    """The first `count` drafts of `ids` that the demo policy routes once submitted: eligible
    somewhere, with the best eligible score at or above 70 (the engine run in memory, nothing
    stored, so the submission's scoring is a real first scoring)."""
    from alliance.models import Proposal
    from matching.services import check_draft

    chosen = []
    for proposal in Proposal.objects.filter(pk__in=ids).order_by("pk"):
        scores = [r["score"] for r in check_draft(proposal=proposal) if r["eligible"]]
        if scores and max(scores) >= ROUTING_MIN_SCORE:
            chosen.append(proposal.pk)
            if len(chosen) == count:
                break
    return chosen


def bench_routed(ids: list[int]) -> report.Metric:
    """Submit drafts one at a time with automatic routing running under the demo policy (real
    workers, routing resumed); time until the fund inbox has the referral the workers made."""
    from alliance.models import Proposal, User
    from alliance.proposals.services import proposal_submit
    from fund.routing import selectors as routing_selectors
    from fund.routing import services as routing

    keit = User.objects.get(username="keit")
    if routing_selectors.active_policy().paused:
        routing.routing_resume(actor=keit)
    # Whatever was submitted before is looked at first, not timed.
    wait_idle("the routing of what waited while it was paused")
    proposals = list(Proposal.objects.filter(pk__in=ids).order_by("pk"))
    users = _applicants(proposals)
    latencies = []
    sql = "SELECT count(*) FROM fund_fundinbox WHERE proposal_id = %s"
    for p in proposals:
        started = time.perf_counter()
        proposal_submit(proposal_id=p.pk, actor=users[p.firm_id])
        inbox = _poll(sql, [p.pk], lambda row: row[0] == 1)
        latencies.append((inbox - started) * 1000)
    version = routing_selectors.active_policy().version
    p50, p95 = report.percentile(latencies, 50), report.percentile(latencies, 95)
    return report.Metric(
        name="submit to fund inbox (routing)",
        ours=f"p50 {report.fmt_ms(p50)}, p95 {report.fmt_ms(p95)}",
        target="p95 ≤ 1.5 s",
        met=p95 <= 1500,
        note=(
            f"{len(proposals)} submissions through alliance.services.proposal_submit, one at a "
            f"time, each meeting routing policy v{version} (best channel, score ≥ "
            f"{ROUTING_MIN_SCORE}); scored, routed and delivered by the workers, from the call "
            "to the FundInbox row"
        ),
        raw={"p50_ms": p50, "p95_ms": p95, "samples": latencies, "policy_version": version},
    )


# ---------------------------------------------------------------------------------------------
# HTTP


def kdb_credentials() -> dict:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from alliance.models import User

    kdb = User.objects.get(username="kdb")
    token, _ = Token.objects.get_or_create(user=kdb)
    session = SessionStore()
    session[SESSION_KEY] = str(kdb.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = kdb.get_session_auth_hash()
    session.create()
    return {
        "api": {"Authorization": f"Token {token.key}"},
        "page": {"Cookie": f"sessionid={session.session_key}"},
        "anonymous": {},
    }


def fetch(url: str, headers: dict) -> tuple[int, bytes, str]:
    # Only ever http://127.0.0.1:<port>/... built by this script.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def capture_floor(base: str, name: str, path: str, headers: dict) -> bool:
    """Store the real page's bytes for /bench/floor/<name>/; False if the page is not 200."""
    status, body, content_type = fetch(base + path, headers)
    if status != 200:
        return False
    (FLOOR_DIR / f"{name}.body").write_bytes(body)
    (FLOOR_DIR / f"{name}.type").write_text(content_type)
    return True


class Http:
    def __init__(self, tool, base: str, seconds: float):
        self.tool = tool
        self.base = base
        self.seconds = seconds

    def measure(self, path: str, headers: dict, connections: int = CONNECTIONS) -> dict:
        for _ in range(10):  # warm the workers' caches and connections
            fetch(self.base + path, headers)
        return self.tool.run(
            self.base + path, connections=connections, seconds=self.seconds, headers=headers
        )


def _http_note(ours: dict, floor: dict | None) -> str:
    parts = [f"{ours['rps']:,.0f} req/s, p50 {ours['p50_ms']:.1f} ms"]
    if floor:
        parts.append(f"floor {floor['rps']:,.0f} req/s, p99 {floor['p99_ms']:.1f} ms")
    bad = ours["non2xx"] + ours["errors"]
    if bad:
        parts.append(f"{bad} responses were errors or non-2xx")
    return "; ".join(parts)


def bench_page_vs_floor(
    http: Http,
    *,
    name: str,
    label: str,
    path: str,
    headers: dict,
    p99_limit,
    share: float,
    connections: int = CONNECTIONS,
) -> report.Metric:
    if not capture_floor(http.base, name, path, headers):
        status, _body, _type = fetch(http.base + path, headers)
        return report.Metric(
            name=label,
            ours=f"not measured: {path} answered {status}",
            target=f"≥ {share:.0%} of the floor",
            note="endpoint missing" if status == 404 else f"HTTP {status}",
        )
    floor = http.measure(f"/bench/floor/{name}/", headers, connections)
    ours = http.measure(path, headers, connections)
    share_of_floor = report.ratio(ours["rps"], floor["rps"])
    met = share_of_floor is not None and share_of_floor >= share
    target = f"≥ {share:.0%} of the floor"
    if p99_limit is not None:
        met = met and ours["p99_ms"] <= p99_limit
        target = f"p99 ≤ {p99_limit} ms, {target}"
    met = met and ours["non2xx"] == 0 and ours["errors"] == 0
    return report.Metric(
        name=label,
        ours=f"p99 {report.fmt_ms(ours['p99_ms'])}, {report.fmt_rate(ours['rps'])}",
        floor=f"p99 {report.fmt_ms(floor['p99_ms'])}, {report.fmt_rate(floor['rps'])}",
        ratio=share_of_floor,
        ratio_label="of floor req/s",
        target=target,
        met=met,
        note=f"GET {path}, {connections} connections: " + _http_note(ours, floor),
        raw={"ours": ours, "floor": floor, "path": path},
    )


def deep_cursor(item: int) -> str | None:
    """The API cursor after which item number `item` (1-based, score order) comes first."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT score, proposal_id FROM fund_fundreview "
            "ORDER BY score DESC, proposal_id DESC OFFSET %s LIMIT 1",
            [item - 2],
        )
        row = cur.fetchone()
    return f"{row[0]}.{row[1]}" if row else None


def bench_deep(http: Http, headers: dict, item: int) -> report.Metric:
    first_path = "/api/v1/pipeline/"
    status, _body, _type = fetch(http.base + first_path, headers)
    if status != 200:
        return report.Metric(
            name="deep page",
            ours=f"not measured: {first_path} answered {status}",
            target="≤ 1.5× the first page",
            note="endpoint missing" if status == 404 else f"HTTP {status}",
        )
    cursor = deep_cursor(item)
    deep_path = f"{first_path}?after={cursor}"
    first = http.measure(first_path, headers)
    deep = http.measure(deep_path, headers)
    # Time per request under the same load: first page's throughput over the deep page's.
    slower = report.ratio(first["rps"], deep["rps"])
    return report.Metric(
        name="deep page",
        ours=f"p50 {report.fmt_ms(deep['p50_ms'])}, {report.fmt_rate(deep['rps'])}",
        floor=f"p50 {report.fmt_ms(first['p50_ms'])}, {report.fmt_rate(first['rps'])}",
        ratio=slower,
        ratio_label="time of first page",
        target="≤ 1.5× the first page",
        met=slower is not None and slower <= 1.5 and deep["non2xx"] == 0,
        note=f"API page of 50 from item {item:,} (keyset cursor {cursor}) vs the first page",
        raw={"deep": deep, "first": first, "item": item, "cursor": cursor},
    )


# ---------------------------------------------------------------------------------------------


PUBLIC_PAGES = (
    ("public_home", "public home", "/"),
    ("public_channel", "public channel page (loan)", "/channels/loan/"),
    ("public_notices", "public notices", "/notices/"),
    ("public_faq", "public FAQ", "/faq/"),
    ("public_events", "public events", "/events/"),
)
PUBLIC_CONNECTIONS = 64


def run(quick: bool, seconds: float | None, skip_http: bool = False) -> dict:
    sizes = dict(QUICK if quick else FULL)
    if seconds:
        sizes["http_seconds"] = seconds
    scale = sizes["proposals"] / FULL["proposals"]
    started = time.perf_counter()
    info = machine()
    info["broker"] = urlsplit(BROKER_URL).scheme
    log(
        f"{'빠른 모드 / quick' if quick else '전체 / full'}: {info['cores']} cores, "
        f"{info['cpu_model']}; broker {info['broker']}; logs in {LOG_DIR}"
    )
    tool = load_tool(log)

    fresh_database()
    flush_redis()
    collect_static()
    setup_django()
    purge_queues()

    import psycopg2
    from django.db import connection

    from alliance.models import Proposal
    from matching import selectors as matching_selectors
    from matching.services import score_proposals

    pg = psycopg2.connect(**_pg_params(DATABASE_URL))
    metrics = _Metrics(info["cores"])
    processes: list[Process] = []
    workers: dict[str, Process] = {}
    try:
        metrics.begin("엔진 / engine throughput")
        metrics.append(bench_engine(scale))

        metrics.begin(f"데이터 적재 / generate_proposals --count {sizes['proposals']:,}")
        before = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        metrics.append(bench_load(sizes["proposals"], scale))
        lo, hi = before + 1, Proposal.objects.order_by("-pk").values_list("pk", flat=True)[0]
        analyze(pg)

        workers.update(start_workers())
        processes.append(start_beat())
        wait_idle("the seed's scoring messages")

        metrics.begin("전체 재채점 / full rescore")
        rescore, rule_set = bench_rescore(pg, scale, [workers["scoring"]])
        metrics.append(rescore)

        metrics.begin("수평 확장 / scale-out: rescore on 1 node, then 2 nodes")
        metrics.append(bench_scale_out(pg, scale, workers))
        rule_set = matching_selectors.active_rule_set()

        log("파이프라인 채우기 / filling the pipeline (SQL, not timed)")
        analyze(pg)
        data.fill_pipeline(
            pg,
            lo=lo,
            hi=hi,
            rule_set=rule_set.pk,
            version=rule_set.version,
            keit=_user_id("keit"),
            kdb=_user_id("kdb"),
        )
        # The drain's proposals, the submissions' samples, then a pool the routing samples are
        # picked from (those the demo policy routes).
        pool = ROUTING_POOL * sizes["samples"]
        manage(
            "generate_proposals",
            "--count",
            str(sizes["drain"] + sizes["samples"] + pool),
            "--seed",
            "2",
            "-v",
            "0",
        )
        top = Proposal.objects.order_by("-pk").values_list("pk", flat=True)[0]
        routing_pool = list(range(top - pool + 1, top + 1))
        samples = list(range(routing_pool[0] - sizes["samples"], routing_pool[0]))
        Proposal.objects.filter(pk__in=samples + routing_pool).update(
            status="draft", submitted_at=None
        )
        # KEIT refers scored proposals: the drain's are scored first (not timed).
        scored_at = time.perf_counter()
        score_proposals(
            queryset=Proposal.objects.filter(pk__gt=hi, pk__lt=samples[0]), rule_set=rule_set
        )
        scored_in = time.perf_counter() - scored_at
        log(f"큐 비우기 대상 채점 / drain proposals scored ({scored_in:.1f} s, not timed)")
        connection.close()
        analyze(pg)
        wait_idle("messages queued before the drain (not timed)")

        metrics.begin(f"큐 비우기 / queue drain of {sizes['drain']:,} referrals")
        metrics.append(bench_drain(lo=hi + 1, hi=samples[0] - 1, scale=scale))
        left, waited = wait_idle("the mail the intakes queued (not timed)")
        if any(left.values()):
            metrics[-1].note += (
                f"; {sum(left.values()):,} messages were still queued at the end "
                f"({', '.join(f'{q} {n:,}' for q, n in left.items() if n)}) and took the "
                f"workers {waited:.0f} s more"
            )

        metrics.begin("제출→채점 / submit to scored")
        metric, submitted = bench_submit(samples, rule_set)
        metrics.append(metric)
        metrics.begin("추천→접수 / referral to inbox")
        metrics.append(bench_referral(submitted))
        metrics.begin("제출→펀드 수신함(자동 연계) / submit to fund inbox with automatic routing")
        metrics.append(bench_routed(routable(routing_pool, sizes["samples"])))

        if skip_http:
            return _result(quick, started, info, tool, sizes, metrics)
        port = free_port()
        processes.append(start_gunicorn(port))
        http = Http(tool, f"http://127.0.0.1:{port}", sizes["http_seconds"])
        creds = kdb_credentials()
        log(f"HTTP ({tool.name}, {CONNECTIONS} clients, {sizes['http_seconds']} s each)")
        metrics.begin("파이프라인 API / pipeline API")
        metrics.append(
            bench_page_vs_floor(
                http,
                name="pipeline_api",
                label="pipeline API",
                path="/api/v1/pipeline/?channel=loan&stage=committee",
                headers=creds["api"],
                p99_limit=150,
                share=0.25,
            )
        )
        for name, label, path in (
            ("pipeline_board", "pipeline page (board)", "/fund/pipeline/"),
            ("pipeline_table", "pipeline page (table)", "/fund/pipeline/table/"),
        ):
            metrics.begin(label)
            metrics.append(
                bench_page_vs_floor(
                    http,
                    name=name,
                    label=label,
                    path=path,
                    headers=creds["page"],
                    p99_limit=150,
                    share=0.15,
                )
            )
        metrics.begin("깊은 페이지 / deep page")
        metrics.append(bench_deep(http, creds["api"], sizes["deep_item"]))
        for name, label, path in PUBLIC_PAGES:
            metrics.begin(f"{label} ({PUBLIC_CONNECTIONS} connections)")
            metrics.append(
                bench_page_vs_floor(
                    http,
                    name=name,
                    label=label,
                    path=path,
                    headers=creds["anonymous"],
                    p99_limit=100,
                    share=0.6,
                    connections=PUBLIC_CONNECTIONS,
                )
            )
        metrics.begin("행사 신청 동시성 / event registration, 64 at once")
        metrics.append(bench_registration(http.base))
    finally:
        for worker in workers.values():
            worker.stop()
        for process in reversed(processes):
            process.stop()
        pg.close()
        shutil.rmtree(FLOOR_DIR, ignore_errors=True)

    return _result(quick, started, info, tool, sizes, metrics)


def bench_registration(base: str, people: int = 64, seats: int = 50) -> report.Metric:
    """64 anonymous registrants POST the public event page at the same moment (each with the
    CSRF token of their own GET) for 50 seats: exactly 50 confirmed, the rest waitlisted in
    the order the event's lock let them in, no error."""
    import http.cookiejar
    import re
    import urllib.parse

    from fund.site.models import Event, Registration, RegistrationStatus

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    event = Event.objects.create(
        kind="seminar",
        title="국민성장펀드 출범 설명회 (bench)",
        description="bench",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="서울",
        capacity=seats,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        published=True,
    )
    url = f"{base}/events/{event.pk}/"
    token = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """The registration's answer itself (302 to the confirmation page), not where it leads."""

        def redirect_request(self, *args, **kwargs):
            return None

    openers, statuses = [], [None] * people
    for _ in range(people):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        with opener.open(url, timeout=30) as page:
            openers.append((opener, token.search(page.read()).group(1).decode()))
    barrier = threading.Barrier(people)

    def register(n: int) -> None:
        opener, csrf = openers[n]
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "name": "참가자",
                "organization": "bench",
                "email": f"person{n}@example.kr",
                "phone": "010-2222-3333",
                "consent": "on",
            }
        ).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as answer:
                statuses[n] = answer.status
        except urllib.error.HTTPError as exc:
            statuses[n] = exc.code
        except Exception as exc:  # counted as an error below
            statuses[n] = repr(exc)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(people)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started
    rows = list(
        Registration.objects.filter(event=event)
        .order_by("id")
        .values_list("status", "waitlist_position")
    )
    confirmed = sum(1 for status, _ in rows if status == RegistrationStatus.CONFIRMED)
    waitlist = [position for status, position in rows if status == RegistrationStatus.WAITLISTED]
    errors = sum(1 for s in statuses if s != 302)
    in_order = [status for status, _ in rows] == (
        [RegistrationStatus.CONFIRMED] * seats + [RegistrationStatus.WAITLISTED] * (people - seats)
    ) and waitlist == list(range(1, people - seats + 1))
    return report.Metric(
        name="event registration (64 at once, 50 seats)",
        ours=f"{confirmed} registered, {len(waitlist)} waitlisted, {errors} errors",
        target=f"exactly {seats} registered, the rest waitlisted in arrival order, 0 errors",
        met=confirmed == seats and in_order and errors == 0,
        note=f"{people} POSTs of the public event page through gunicorn in {elapsed:.2f} s",
        raw={"statuses": statuses, "seconds": elapsed},
    )


def _result(quick, started, info, tool, sizes, metrics) -> dict:
    elapsed = time.perf_counter() - started
    info["load_average_at_end"] = list(os.getloadavg())
    return {
        "mode": "quick" if quick else "full",
        "finished_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": elapsed,
        "machine": info,
        "load_tool": tool.name,
        "sizes": sizes,
        "metrics": [m.as_dict() for m in metrics],
        "table": report.table(metrics),
        "markdown": report.markdown_table(metrics),
    }


class _Metrics(list):
    """The metrics so far, each stamped with the 1-minute load average just before it was
    taken: the machine is shared, and a figure means little without how busy it was. A metric
    whose start found the load above the core count reads "noisy", not met or missed."""

    def __init__(self, cores: int | None):
        super().__init__()
        self.cores = cores
        self._load: tuple[float, float, float] | None = None

    def begin(self, message: str) -> None:
        self._load = os.getloadavg()
        log(f"{message} (load {self._load[0]:.1f})")

    def append(self, metric: report.Metric) -> None:
        before = self._load or os.getloadavg()
        after = os.getloadavg()
        self._load = None
        metric.load_at_start = round(before[0], 2)
        metric.cores = self.cores
        metric.raw.setdefault("load_average_at_start", [round(x, 2) for x in before])
        metric.raw.setdefault("load_average_at_end", [round(x, 2) for x in after])
        load = f"load {before[0]:.1f} at start, {after[0]:.1f} at end"
        metric.note = f"{metric.note}; {load}" if metric.note else load
        super().append(metric)
        log(f"  {metric.name}: {metric.ours} ({metric.verdict})")


def _user_id(username: str) -> int:
    from alliance.models import User

    return User.objects.get(username=username).pk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size, ~2 minutes")
    parser.add_argument("--seconds", type=float, help="seconds per HTTP load run")
    parser.add_argument(
        "--skip-http", action="store_true", help="stop before the HTTP benchmarks (no gunicorn)"
    )
    args = parser.parse_args(argv)
    # A stopped run (SIGTERM) still stops the workers and servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = run(args.quick, args.seconds, args.skip_http)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    m = result["machine"]
    print()
    print(
        f"M.AX portal bench — {result['mode']} — {m['cores']} cores, {m['cpu_model']} — "
        f"load tool {result['load_tool']} — {result['seconds']:.0f} s — load average "
        f"{m['load_average_at_start'][0]:.1f} at start, {m['load_average_at_end'][0]:.1f} at end"
    )
    print(
        "공유 머신이라 절댓값은 흔들립니다. 비율을 보세요 / Shared machine: absolute figures "
        "are noisy; compare the ratios."
    )
    print()
    print(result["table"])
    print()
    print(f"→ {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
