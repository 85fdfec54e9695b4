from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("M.AX Alliance")

    def ready(self) -> None:
        from alliance.consultations.services import consultations_erase_expired
        from alliance.roles import ensure_reference_data, ensure_role_groups
        from portal.core import privacy

        # The nightly erasure (portal.core.privacy) also clears expired consultation contacts.
        privacy.eraser_register(privacy.PersonalDataKind.CONSULTATION, consultations_erase_expired)

        # post_migrate also follows a flush, so reference rows survive transactional tests
        # and a `flush` in operations; both functions only add what is missing.
        post_migrate.connect(ensure_role_groups, dispatch_uid="alliance.ensure_role_groups")
        post_migrate.connect(
            ensure_reference_data, sender=self, dispatch_uid="alliance.ensure_reference_data"
        )
