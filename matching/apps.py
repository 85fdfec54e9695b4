from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from matching import receivers  # noqa: F401  (connects the signal handlers)
        from matching.reference import ensure_start_rule_set

        post_migrate.connect(
            ensure_start_rule_set, sender=self, dispatch_uid="matching.ensure_start_rule_set"
        )
