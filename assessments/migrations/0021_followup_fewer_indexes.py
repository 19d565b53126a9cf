"""Fewer indexes on follow-ups, each written on every state move of a dispatch: the brand's and
the purchase's own (the indexes that begin with them serve their lookups) and the token's
second one, for LIKE. The token stays unique through a constraint, added before the field's
own uniqueness goes, so it never lapses."""

import django.db.models.deletion
from django.db import migrations, models

import assessments.models.followups


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0020_response_start_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="brand",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="followups",
                to="assessments.brand",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="purchase",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="followups",
                to="assessments.purchase",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(fields=("token",), name="followup_unique_token"),
        ),
        migrations.AlterField(
            model_name="followup",
            name="token",
            field=models.CharField(
                default=assessments.models.followups.new_token, editable=False, max_length=64
            ),
        ),
    ]
