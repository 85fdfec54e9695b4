from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = _("National Growth Fund")

    def ready(self) -> None:
        from fund.capacity.reference import ensure_channels
        from fund.coordination import receivers  # noqa: F401  (connects the signal handlers)
        from fund.review import receivers as review_receivers
        from fund.site.facts_seed import ensure_public_facts
        from fund.site.services import registrations_erase_expired
        from portal.core import privacy

        review_receivers.connect()
        # The nightly erasure (portal.core.privacy) also clears expired event registrants.
        privacy.eraser_register(privacy.PersonalDataKind.REGISTRATION, registrations_erase_expired)

        post_migrate.connect(ensure_channels, sender=self, dispatch_uid="fund.ensure_channels")
        post_migrate.connect(
            ensure_public_facts, sender=self, dispatch_uid="fund.ensure_public_facts"
        )
        self._invalidate_cached_aggregates()
        self._invalidate_fact_registry()

    def _invalidate_cached_aggregates(self) -> None:
        # Channels, plans, sub-alliances and industries change through the admin and the
        # editor, not through one service; a signal covers every path. Commitments are
        # invalidated by fund.capacity.services.commitment_create, and here only when deleted
        # (admin).
        from alliance.models import Industry, SubAlliance
        from fund.capacity.models import AnnualPlan, Channel, Commitment
        from fund.review.models import FundReview
        from portal.core import aggregate_cache

        def invalidate(**kwargs) -> None:
            aggregate_cache.invalidate()

        for model in (Channel, AnnualPlan, SubAlliance, Industry, Commitment):
            uid = f"fund.aggregate_cache.{model._meta.label_lower}"
            if model is not Commitment:
                post_save.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".save")
            post_delete.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".delete")

        # Every stage move, intake, decision and assignment saves the review: the board's
        # cached counts per stage are stale once that commits.
        def invalidate_pipeline(**kwargs) -> None:
            aggregate_cache.invalidate(aggregate_cache.PIPELINE)

        # Whole public pages (portal.core.page_cache): notices, FAQ, events and the rule set
        # the channel pages explain are public content; a registration moves the seats left
        # that the event pages show, so it stales only the event pages.
        from fund.site.models import Event, Faq, Notice, Registration
        from matching.models import RuleSet

        for model in (Notice, Faq, Event, RuleSet):
            uid = f"fund.page_cache.{model._meta.label_lower}"
            post_save.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".save")
            post_delete.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".delete")

        def invalidate_events(**kwargs) -> None:
            aggregate_cache.invalidate(aggregate_cache.EVENTS)

        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_events,
                sender=Registration,
                weak=False,
                dispatch_uid=f"fund.page_cache.registration.{signal is post_save}",
            )

        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_pipeline,
                sender=FundReview,
                weak=False,
                dispatch_uid=f"fund.aggregate_cache.fundreview.{signal is post_save}",
            )

    def _invalidate_fact_registry(self) -> None:
        # The pages read the public facts from one cached snapshot; a change through the
        # admin (or a seed) drops it on commit, as fund.site.fact_services does.
        from fund.site.facts import registry_invalidate
        from fund.site.models import Fact, Source, SurveyFigure, SurveyRound

        def invalidate(**kwargs) -> None:
            registry_invalidate()

        for model in (Source, Fact, SurveyRound, SurveyFigure):
            uid = f"fund.fact_registry.{model._meta.label_lower}"
            post_save.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".save")
            post_delete.connect(invalidate, sender=model, weak=False, dispatch_uid=uid + ".delete")
