"""Benchmark settings (`make bench`): production's settings, changed only where a benchmark must.

Everything else (database options such as JIT off, connection reuse, Celery's acknowledgement
and prefetch, whitenoise, security middleware and headers, logging) is production's own, so a
figure measures what production runs. The changes, each with its reason:

- the values production refuses to start without are given defaults for 127.0.0.1;
- plain HTTP on 127.0.0.1 (production behind a TLS proxy redirects and marks cookies secure);
- the benchmark URLconf (portal.bench_urls) adds the floor views; nothing bench-only is in the
  production URLconf;
- the demo world is allowed: the bench database is seeded with `seed_demo`;
- API throttles stay on (they still run and are measured) with limits that 16 clients of one
  user do not reach;
- mail stays in memory: the bench must not send mail to anyone.

Only bench/run.py is meant to use these settings.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" + "0123456789" * 4)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/13")

from portal.settings.production import *  # noqa: F403
from portal.settings.production import REST_FRAMEWORK

ROOT_URLCONF = "portal.bench_urls"
DEMO_DATA_ALLOWED = True

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "1000000/minute",
        "user": "1000000/minute",
    },
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Where bench/run.py stores the bytes of each real page for the floor view to return.
BENCH_FLOOR_DIR = Path(
    os.environ.get("BENCH_FLOOR_DIR", str(Path(tempfile.gettempdir()) / "portal-bench-floor"))
)
