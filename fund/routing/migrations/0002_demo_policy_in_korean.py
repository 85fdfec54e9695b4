"""The demo routing policy's name and description in Korean only (they were "한국어 / English")."""

from django.db import migrations

OLD_NAME = "최고 점수 채널 70점 이상 자동 연계 / Best channel at 70 or more"


def korean_only(apps, schema_editor):
    from fund.routing.demo import DEMO_DESCRIPTION, DEMO_NAME

    RoutingPolicy = apps.get_model("routing", "RoutingPolicy")
    RoutingPolicy.objects.filter(version=1, name=OLD_NAME).update(
        name=DEMO_NAME, description=DEMO_DESCRIPTION
    )
    RoutingPolicy.objects.filter(name="New routing policy").update(name="새 자동 연계 정책")


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(korean_only, migrations.RunPython.noop)]
