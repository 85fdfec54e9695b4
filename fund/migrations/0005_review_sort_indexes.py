# Indexes for the pipeline sorted across every stage (the table and API without a stage
# filter, and their keyset pages): found by `make bench` (issue 7, docs/performance.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fund", "0004_coordination_pipeline"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="fundreview",
            index=models.Index(fields=["-score", "-proposal"], name="review_score"),
        ),
        migrations.AddIndex(
            model_name="fundreview",
            index=models.Index(fields=["stage_entered_at", "proposal"], name="review_age"),
        ),
    ]
