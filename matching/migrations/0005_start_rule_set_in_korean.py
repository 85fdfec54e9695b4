"""The start rule set's name and description in Korean only (they were "한국어 / English")."""

from django.db import migrations

OLD_NAME = "국민성장펀드 기본 매칭 규칙 / Start rules"


def korean_only(apps, schema_editor):
    from matching.reference import START_DESCRIPTION, START_NAME

    RuleSet = apps.get_model("matching", "RuleSet")
    RuleSet.objects.filter(version=1, name=OLD_NAME).update(
        name=START_NAME, description=START_DESCRIPTION
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_match_result_key_indexes")]
    operations = [migrations.RunPython(korean_only, migrations.RunPython.noop)]
