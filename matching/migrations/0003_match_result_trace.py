"""Match results keep a compact trace instead of rendered reasons (checks, breakdown, hints).

Rows stored before this keep their reasons verbatim under trace["text"], so every page shows
exactly what it showed before; the next time such a proposal is scored with changed inputs its
rows are rewritten as compact traces. Going back renders the reasons from each trace.
"""

from django.db import migrations, models

_TO_TEXT_POSTGRESQL = """
UPDATE matching_matchresult
SET trace = jsonb_build_object(
  'text', jsonb_build_object('checks', checks, 'breakdown', breakdown, 'hints', hints))
"""
CHUNK = 2000


def keep_reasons_as_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_TO_TEXT_POSTGRESQL)
        return
    MatchResult = apps.get_model("matching", "MatchResult")
    batch = []
    for row in MatchResult.objects.only("checks", "breakdown", "hints").iterator(CHUNK):
        row.trace = {
            "text": {"checks": row.checks, "breakdown": row.breakdown, "hints": row.hints}
        }
        batch.append(row)
        if len(batch) == CHUNK:
            MatchResult.objects.bulk_update(batch, ["trace"])
            batch = []
    MatchResult.objects.bulk_update(batch, ["trace"])


def render_reasons(apps, schema_editor):
    from matching.scoring import compile_rules, render

    MatchResult = apps.get_model("matching", "MatchResult")
    RuleSet = apps.get_model("matching", "RuleSet")
    compiled = {
        pk: compile_rules(rules, version=version)
        for pk, rules, version in RuleSet.objects.values_list("pk", "rules", "version")
    }
    batch = []
    for row in MatchResult.objects.only("trace", "channel", "rule_set").iterator(CHUNK):
        if "text" in row.trace:
            text = row.trace["text"]
        else:
            text = render(compiled[row.rule_set_id].channel(row.channel_id), row.trace)
        row.checks, row.breakdown, row.hints = text["checks"], text["breakdown"], text["hints"]
        batch.append(row)
        if len(batch) == CHUNK:
            MatchResult.objects.bulk_update(batch, ["checks", "breakdown", "hints"])
            batch = []
    MatchResult.objects.bulk_update(batch, ["checks", "breakdown", "hints"])


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_start_rule_set")]

    operations = [
        migrations.AddField(
            model_name="matchresult",
            name="trace",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(keep_reasons_as_text, render_reasons),
        migrations.RemoveField(model_name="matchresult", name="breakdown"),
        migrations.RemoveField(model_name="matchresult", name="checks"),
        migrations.RemoveField(model_name="matchresult", name="hints"),
    ]
