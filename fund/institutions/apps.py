from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    """Financial institutions take part (issue 17): their offers, the proposals firms open to
    them with consent, the fit worked out by workers, and interests that become consultations.
    Its own app label (and migrations), beside the fund's review and site: it reads match
    results and alliance data, and nothing below it imports it."""

    name = "fund.institutions"
    label = "institutions"
    verbose_name = _("Financial institutions")

    def ready(self) -> None:
        from fund.institutions import receivers  # noqa: F401  (connects the signal handlers)
