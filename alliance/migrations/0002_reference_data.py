from django.db import migrations

from alliance.roles import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
