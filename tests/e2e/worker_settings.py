"""Settings of the browser journeys' Celery worker: the test settings, except that mail is
written to files (EMAIL_FILE_PATH) so the test can follow a link in it as a person would."""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import env

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
