"""The portal's Celery application; worker and beat share the web image and settings."""

import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each installed app's `tasks` module, and those of the fund's concerns.
app.autodiscover_tasks()
app.autodiscover_tasks(["fund.coordination", "fund.site"])


@task_postrun.connect(weak=False)
def record_periodic_run(sender=None, **kwargs) -> None:
    """Remember when each task beat schedules last ran, for the system status page."""
    from portal.core.queue import record_periodic_run

    record_periodic_run(getattr(sender, "name", ""))
