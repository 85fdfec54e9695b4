from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared core as an app of its own: it holds the mail outbox's table."""

    name = "portal.core"
    label = "core"
    verbose_name = _("Portal")
