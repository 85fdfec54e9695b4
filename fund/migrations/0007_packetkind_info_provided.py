# The applicant's answer to the fund's question goes back to KDB as an `info_provided` packet.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fund', '0006_pipeline_committees_comments_views'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='coordinationpacket',
            name='packet_kind_valid',
        ),
        migrations.RemoveConstraint(
            model_name='coordinationpacket',
            name='packet_kind_direction',
        ),
        migrations.AlterField(
            model_name='coordinationpacket',
            name='kind',
            field=models.CharField(choices=[('referral', 'Referral'), ('received', 'Received'), ('prescreen_started', 'Pre-screen started'), ('committee_scheduled', 'Committee scheduled'), ('council_scheduled', 'Council scheduled'), ('decision', 'Decision'), ('info_requested', 'Information requested'), ('info_provided', 'Information provided')], max_length=24, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='coordinationpacket',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['referral', 'received', 'prescreen_started', 'committee_scheduled', 'council_scheduled', 'decision', 'info_requested', 'info_provided'])), name='packet_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='coordinationpacket',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('direction', 'keit_to_kdb'), ('kind__in', ['referral', 'info_provided'])), models.Q(models.Q(('kind__in', ['referral', 'info_provided']), _negated=True), ('direction', 'kdb_to_keit')), _connector='OR'), name='packet_kind_direction'),
        ),
    ]
