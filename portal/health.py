"""Health answers for machines, and the system status page for operators.

- GET /healthz, liveness: this web process answers and its database does. Cheap (one
  `SELECT 1`), open to anyone, and it says nothing about the system's insides.
- GET /readyz, readiness: database, broker and workers, each `{"ok": bool, ...}`; 200 only when
  all three are ok, 503 otherwise. The worker ping (a broadcast that waits for answers) is
  reused for READYZ_CACHE_SECONDS, so polling cannot make the portal broadcast on every
  request. No host names, versions or connection strings.
- /system/status/, for staff: the same and what operators need to act on, each with its age.
"""

import logging
import time

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fund.coordination.models import CoordinationPacket, PacketState
from portal.celery import app as celery_app
from portal.core.access import only_for
from portal.core.models import Notification, NotificationState
from portal.core.queue import last_periodic_run, periodic_tasks

logger = logging.getLogger(__name__)

IN_PROCESS = "in-process"


def _in_process() -> bool:
    # The Celery app's own configuration, not Django's settings: it is what tasks actually do.
    return bool(celery_app.conf.task_always_eager)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the class name is enough for operators
        logger.warning("healthz: database check failed", exc_info=True)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def _broker() -> dict:
    if _in_process():
        return {"ok": True, "mode": IN_PROCESS}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:
        logger.warning("healthz: broker check failed", exc_info=True)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}


_pinged: dict = {}  # the last worker ping of this process: {"at": monotonic, "names": [...]}


def worker_names() -> list[str]:
    """The names of the workers that answer a ping, reused for READYZ_CACHE_SECONDS."""
    now = time.monotonic()
    if _pinged and now - _pinged["at"] < settings.READYZ_CACHE_SECONDS:
        return _pinged["names"]
    replies = celery_app.control.ping(timeout=settings.HEALTHZ_WORKER_TIMEOUT) or []
    names = sorted(name for reply in replies for name in reply)
    _pinged.update(at=now, names=names)
    return names


def _workers(*, broker_ok: bool) -> dict:
    if _in_process():
        return {"ok": True, "mode": IN_PROCESS, "count": 0}
    if not broker_ok:
        # Without a broker no worker can be asked, and none could receive work anyway.
        return {"ok": False, "count": 0, "error": "broker down"}
    try:
        names = worker_names()
    except Exception as exc:
        logger.warning("readyz: worker ping failed", exc_info=True)
        return {"ok": False, "count": 0, "error": exc.__class__.__name__}
    return {"ok": bool(names), "count": len(names)}


@never_cache
@require_safe
def healthz(request):
    """Liveness: 200 while this process and its database answer, 503 otherwise."""
    ok = _database()["ok"]
    return JsonResponse({"status": "ok" if ok else "down"}, status=200 if ok else 503)


@never_cache
@require_safe
def readyz(request):
    """Readiness: database, broker and workers; 200 if all are up, 503 if any is down."""
    database = _database()
    broker = _broker()
    workers = _workers(broker_ok=broker["ok"])
    ok = database["ok"] and broker["ok"] and workers["ok"]
    body = {
        "status": "ok" if ok else "degraded",
        "database": database,
        "broker": broker,
        "workers": workers,
    }
    return JsonResponse(body, status=200 if ok else 503)


# ---------------------------------------------------------------------------------------------
# The system status page (staff)


def _since(moment) -> int | None:
    """Whole seconds since `moment` (None stays None)."""
    if moment is None:
        return None
    return max(int((timezone.now() - moment).total_seconds()), 0)


def _queues() -> list[dict]:
    """For each queue a worker consumes, how many workers do; the names are for staff."""
    if _in_process():
        return []
    try:
        active = celery_app.control.inspect(timeout=settings.HEALTHZ_WORKER_TIMEOUT).active_queues()
    except Exception:
        logger.warning("status: asking the workers for their queues failed", exc_info=True)
        active = None
    by_queue: dict[str, list[str]] = {}
    for worker, queues in (active or {}).items():
        for queue in queues:
            by_queue.setdefault(queue["name"], []).append(worker)
    # Every queue the settings send work to: the default, the routed ones, beat's.
    expected = {settings.CELERY_TASK_DEFAULT_QUEUE}
    expected |= {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    expected |= {
        entry["options"]["queue"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if "queue" in entry.get("options", {})
    }
    return [
        {"queue": name, "workers": sorted(by_queue.get(name, []))}
        for name in sorted(expected | set(by_queue))
    ]


def system_status() -> dict:
    """What an operator needs to see, each reading with its age in seconds."""
    started = time.monotonic()
    database = _database()
    database["ms"] = round((time.monotonic() - started) * 1000, 1)
    database["vendor"] = connection.vendor
    broker = _broker()
    mail_pending = Notification.objects.filter(state=NotificationState.PENDING)
    mail_failed = Notification.objects.filter(state=NotificationState.FAILED)
    packets_pending = CoordinationPacket.objects.filter(state=PacketState.PENDING)
    packets_stuck = CoordinationPacket.objects.filter(state=PacketState.STUCK)
    return {
        "checked_at": timezone.now(),
        "database": database,
        "broker": broker,
        "queues": _queues() if broker["ok"] else [],
        "in_process": _in_process(),
        "periodic": [
            {"task": name, "age": _since(last_periodic_run(name))} for name in periodic_tasks()
        ],
        "mail_pending": {
            "count": mail_pending.count(),
            "oldest_age": _since(mail_pending.aggregate(t=Min("created_at"))["t"]),
        },
        "mail_failed": {
            "count": mail_failed.count(),
            "newest_age": _since(mail_failed.aggregate(t=Max("created_at"))["t"]),
        },
        "packets_pending": {
            "count": packets_pending.count(),
            "oldest_age": _since(packets_pending.aggregate(t=Min("created_at"))["t"]),
        },
        "packets_stuck": {
            "count": packets_stuck.count(),
            "newest_age": _since(packets_stuck.aggregate(t=Max("created_at"))["t"]),
        },
    }


def _is_operator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_staff)


@never_cache
@require_safe
@only_for(_is_operator)
def system_status_page(request):
    """The system status for staff (the admin's users): 404 for anyone else."""
    return render(request, "system_status.html", {"status": system_status()})
