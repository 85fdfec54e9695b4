"""Match results: no single-column indexes on the keys (the composite indexes lead with them)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_match_result_trace"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matchresult",
            name="channel",
            field=models.ForeignKey(
                db_column="channel_code",
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="fund.channel",
                to_field="code",
            ),
        ),
        migrations.AlterField(
            model_name="matchresult",
            name="proposal",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="match_results",
                to="alliance.proposal",
            ),
        ),
        migrations.AlterField(
            model_name="matchresult",
            name="rule_set",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="matching.ruleset",
            ),
        ),
    ]
