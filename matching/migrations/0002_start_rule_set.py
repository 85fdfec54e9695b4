from django.db import migrations
from django.utils import timezone

from matching.scoring.rules import default_rules


def seed(apps, schema_editor):
    # The start rule set is version 1; later versions are made in the staff pages, so this
    # migration only creates it where no rule set exists yet.
    RuleSet = apps.get_model("matching", "RuleSet")
    if RuleSet.objects.exists():
        return
    RuleSet.objects.create(
        version=1,
        name="국민성장펀드 기본 매칭 규칙 / Start rules",
        description=(
            "국민성장펀드 운용계획과 투자심의위원회 심사 항목을 반영한 시작 규칙. "
            "Start rules reflecting the fund's operating plan and review criteria."
        ),
        status="active",
        rules=default_rules(),
        activated_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
