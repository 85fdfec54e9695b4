"""The portal's Celery application; worker and beat share the web image and settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each installed app's `tasks` module, and those of the fund's concerns.
app.autodiscover_tasks()
app.autodiscover_tasks(["fund.coordination", "fund.site"])
