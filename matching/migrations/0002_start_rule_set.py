from django.db import migrations

from matching.reference import ensure_start_rule_set


def seed(apps, schema_editor):
    ensure_start_rule_set(apps)


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
