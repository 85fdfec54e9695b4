"""Institution users (role `institution`) and the kinds of SPEC §6."""

import django.db.models.deletion
from django.db import migrations, models


def rename_commercial_bank(apps, schema_editor):
    """The API's kind is `bank` (SPEC §6); rows stored as `commercial_bank` become `bank`."""
    FinancialInstitution = apps.get_model("alliance", "FinancialInstitution")
    FinancialInstitution.objects.filter(kind="commercial_bank").update(kind="bank")


def restore_commercial_bank(apps, schema_editor):
    FinancialInstitution = apps.get_model("alliance", "FinancialInstitution")
    FinancialInstitution.objects.filter(kind="bank").update(kind="commercial_bank")


class Migration(migrations.Migration):

    dependencies = [
        ('alliance', '0008_personal_data_retention'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='alliance.financialinstitution', verbose_name='financial institution'),
        ),
        migrations.AlterField(
            model_name='financialinstitution',
            name='kind',
            field=models.CharField(choices=[('policy_bank', 'Policy bank'), ('bank', 'Bank'), ('securities', 'Securities firm'), ('asset_manager', 'Asset manager'), ('other', 'Other financial institution')], max_length=20, verbose_name='kind'),
        ),
        migrations.RunPython(rename_commercial_bank, restore_commercial_bank),
        migrations.AddConstraint(
            model_name='financialinstitution',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['policy_bank', 'bank', 'securities', 'asset_manager', 'other'])), name='institution_kind_valid'),
        ),
    ]
