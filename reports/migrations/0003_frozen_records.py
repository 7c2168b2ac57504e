"""A frozen report keeps the records behind each figure (FrozenRecord), and says it did (records_kept)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_report_schedules")]

    operations = [
        migrations.CreateModel(
            name="FrozenRecord",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "report", "figure", "record_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="frozen_records",
                        to="reports.annualreport",
                        verbose_name="annual report",
                    ),
                ),
                ("figure", models.CharField(max_length=40, verbose_name="figure")),
                ("record_id", models.BigIntegerField(verbose_name="record")),
            ],
            options={"verbose_name": "frozen record", "verbose_name_plural": "frozen records"},
        ),
        migrations.AddField(
            model_name="annualreport",
            name="records_kept",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Freezing kept the records behind each figure: its drill-downs list those, not today's.",
                verbose_name="records kept",
            ),
        ),
        migrations.AddField(
            model_name="historicalannualreport",
            name="records_kept",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Freezing kept the records behind each figure: its drill-downs list those, not today's.",
                verbose_name="records kept",
            ),
        ),
        migrations.AddConstraint(
            model_name="annualreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("records_kept", False), ("frozen_at__isnull", False), _connector="OR"),
                name="annualreport_kept_only_when_frozen",
            ),
        ),
    ]
