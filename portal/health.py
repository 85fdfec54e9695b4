"""GET /healthz: the state of database, broker and workers, for load balancers and people.

Every component answers with the same shape ({"ok": bool, ...}); the response is 200 only when
all three are ok and 503 otherwise, so a load balancer needs nothing but the status code. Only
exception class names are shown, never connection strings (they can hold passwords).
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.celery import app as celery_app

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
    return {"ok": True, "vendor": connection.vendor}


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


def _workers(*, broker_ok: bool) -> dict:
    if _in_process():
        return {"ok": True, "mode": IN_PROCESS, "count": 0, "names": []}
    if not broker_ok:
        # Without a broker no worker can be asked, and none could receive work anyway.
        return {"ok": False, "count": 0, "names": [], "error": "broker down"}
    try:
        replies = celery_app.control.ping(timeout=settings.HEALTHZ_WORKER_TIMEOUT) or []
    except Exception as exc:
        logger.warning("healthz: worker ping failed", exc_info=True)
        return {"ok": False, "count": 0, "names": [], "error": exc.__class__.__name__}
    names = sorted(name for reply in replies for name in reply)
    return {"ok": bool(names), "count": len(names), "names": names}


@never_cache
@require_safe
def healthz(request):
    """Report database, broker and workers; 200 if all are up, 503 if any is down."""
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
