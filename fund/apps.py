from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = _("National Growth Fund")

    def ready(self) -> None:
        from .reference import ensure_channels

        post_migrate.connect(ensure_channels, sender=self, dispatch_uid="fund.ensure_channels")
