# The registrants' personal data is erased after the retention period: the row stays, marked
# with `erased_at`, and the one-active-registration-per-address rule leaves erased rows out
# (their addresses are blank).

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fund", "0008_fund_question_from_alliance"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="erased_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="personal data erased at"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="registration",
            name="registration_one_active_per_email",
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                models.F("event"),
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(
                    ("erased_at__isnull", True), ("status__in", ("confirmed", "waitlisted"))
                ),
                name="registration_one_active_per_email",
                violation_error_message="This e-mail address is already registered.",
            ),
        ),
    ]
