from django.db import migrations

from fund.facts_seed import CHANNELS


def seed(apps, schema_editor):
    Channel = apps.get_model("fund", "Channel")
    AnnualPlan = apps.get_model("fund", "AnnualPlan")
    for row in CHANNELS:
        fields = {k: v for k, v in row.items() if k not in ("code", "plans")}
        channel, _ = Channel.objects.update_or_create(code=row["code"], defaults=fields)
        for year, amount in row["plans"].items():
            AnnualPlan.objects.update_or_create(
                channel=channel, year=year, defaults={"amount_krw": amount}
            )


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
