"""Creates the four channels (and their plans) where missing; never overwrites an edit."""

from django.apps import apps as django_apps

from fund.capacity.facts_seed import CHANNELS


def ensure_channels(apps=None, **kwargs) -> None:
    """Called by migration 0002 with its historical `apps`, and after every migrate (which
    also follows a flush) with the live registry."""
    apps = apps or django_apps
    Channel = apps.get_model("fund", "Channel")
    AnnualPlan = apps.get_model("fund", "AnnualPlan")
    for row in CHANNELS:
        fields = {k: v for k, v in row.items() if k not in ("code", "plans")}
        channel, created = Channel.objects.get_or_create(code=row["code"], defaults=fields)
        if created:
            for year, amount in row["plans"].items():
                AnnualPlan.objects.get_or_create(
                    channel=channel, year=year, defaults={"amount_krw": amount}
                )
