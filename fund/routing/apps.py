from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Automatic routing of matched proposals into the KEIT–KDB coordination queue: its own app
    label (and migrations), placed above the coordination queue it refers through."""

    name = "fund.routing"
    label = "routing"
    verbose_name = _("Automatic routing")

    def ready(self) -> None:
        from fund.routing import receivers  # noqa: F401  (connects the signal handlers)
