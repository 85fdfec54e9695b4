from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinistryConfig(AppConfig):
    """The ministries' part (SPEC §2): who belongs to 산업통상부 or 금융위원회, 산업부's
    recommendations of proposals to the fund and its shared-infrastructure plans. Its own app
    label and migrations; it sits below automatic routing, which reads the recommendations."""

    name = "fund.ministry"
    label = "ministry"
    verbose_name = _("Ministries")

    def ready(self) -> None:
        from fund.ministry import receivers  # noqa: F401  (connects the signal handlers)
