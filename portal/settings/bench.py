"""Benchmark settings (`make bench`): production-shaped on 127.0.0.1.

DEBUG off, PostgreSQL, Redis as broker and cache, whitenoise serving the collected static
files, and the benchmark URLconf (portal.bench_urls), which adds the floor views; nothing
bench-only is in the production URLconf. Only bench/run.py is meant to use these settings.
"""

import tempfile
from pathlib import Path

from portal.settings.base import *  # noqa: F403
from portal.settings.base import REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-not-secret-" + "0123456789" * 4)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "portal.bench_urls"

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portal_bench"),
}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/13")
CELERY_TASK_ALWAYS_EAGER = False
# As production with CACHE_URL: one shared cache, so API rate limits cost what they cost there.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=CELERY_BROKER_URL),
        "KEY_PREFIX": "bench",
    }
}
# The throttles still run (and are measured), but 16 clients of one user must not hit 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "1000000/minute",
        "user": "1000000/minute",
    },
}
# Fast hashing for the bench's own users; sign-in speed is not a benchmark here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Where bench/run.py stores the bytes of each real page for the floor view to return.
BENCH_FLOOR_DIR = Path(
    env("BENCH_FLOOR_DIR", default=str(Path(tempfile.gettempdir()) / "portal-bench-floor"))
)
