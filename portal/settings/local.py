"""Laptop settings: SQLite and in-process tasks unless DATABASE_URL / CELERY_BROKER_URL are set."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# SQLite cannot defer a unique constraint (models.W038): the two that are deferred, the order of
# a committee agenda and of an event's waiting list, are enforced by PostgreSQL only, and the
# services that number those positions are the same in both. In the SQLite demo the warning
# only alarms someone trying the portal (docs/decisions.md D28).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
