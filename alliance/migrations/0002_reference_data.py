from django.db import migrations

from alliance.reference_data import INDUSTRIES, SUB_ALLIANCES


def seed(apps, schema_editor):
    SubAlliance = apps.get_model("alliance", "SubAlliance")
    Industry = apps.get_model("alliance", "Industry")
    for order, (code, ko, en, demand) in enumerate(SUB_ALLIANCES, start=1):
        SubAlliance.objects.update_or_create(
            code=code,
            defaults={"name_ko": ko, "name_en": en, "surveyed_demand_krw": demand,
                      "order": order},
        )
    for order, (code, ko, en) in enumerate(INDUSTRIES, start=1):
        Industry.objects.update_or_create(
            code=code, defaults={"name_ko": ko, "name_en": en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
