from django.db import migrations

from fund.capacity.reference import ensure_channels


def seed(apps, schema_editor):
    ensure_channels(apps)


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
