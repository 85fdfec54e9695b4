"""Recreates the four channels if they are missing (after a flush); never overwrites edits."""


def ensure_channels(**kwargs) -> None:
    from .facts_seed import CHANNELS
    from .models import AnnualPlan, Channel

    for row in CHANNELS:
        fields = {k: v for k, v in row.items() if k not in ("code", "plans")}
        channel, created = Channel.objects.get_or_create(code=row["code"], defaults=fields)
        if created:
            for year, amount in row["plans"].items():
                AnnualPlan.objects.get_or_create(
                    channel=channel, year=year, defaults={"amount_krw": amount}
                )
