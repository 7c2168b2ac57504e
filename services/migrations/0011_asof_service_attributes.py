"""Service records keep the person's disability category as it was when the service was given (issue 19).

Escort bookings, home rehabilitation sessions and home visits get it. The category is added empty, filled from each record's person in one UPDATE per table
(for the records made so far the person's category today is the only one known), then required.
The street each record already holds is kept as it is: it was copied from the person when the
record was made, and a move since must not re-street it.
"""

from django.db import migrations, models

CATEGORIES = [
    (1, "visual"),
    (2, "hearing"),
    (3, "speech"),
    (4, "physical"),
    (5, "intellectual"),
    (6, "mental"),
    (7, "multiple"),
]


def category(*, null: bool) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        choices=CATEGORIES,
        null=null,
        blank=null,
        editable=False,
        help_text="The person's category when the service was given; a later reassessment does not change it.",
        verbose_name="disability category when served",
    )


def backfill(table: str) -> migrations.RunSQL:
    """Every record of `table` takes its person's category, in one set-based UPDATE (PostgreSQL and SQLite)."""
    return migrations.RunSQL(
        f"UPDATE {table} SET category = p.category FROM services_person p "
        f"WHERE p.id = {table}.person_id AND {table}.category IS NULL",
        migrations.RunSQL.noop,
        elidable=True,
    )


class Migration(migrations.Migration):
    dependencies = [("services", "0010_person_phones_normalised")]

    operations = [
        migrations.AddField("escortbooking", "category", category(null=True)),
        migrations.AddField("historicalescortbooking", "category", category(null=True)),
        migrations.AddField("homerehabsession", "category", category(null=True)),
        migrations.AddField("historicalhomerehabsession", "category", category(null=True)),
        migrations.AddField("homevisit", "category", category(null=True)),
        migrations.AddField("historicalhomevisit", "category", category(null=True)),
        backfill("services_escortbooking"),
        backfill("services_historicalescortbooking"),
        backfill("services_homerehabsession"),
        backfill("services_historicalhomerehabsession"),
        backfill("services_homevisit"),
        backfill("services_historicalhomevisit"),
        migrations.AlterField("escortbooking", "category", category(null=False)),
        migrations.AlterField("historicalescortbooking", "category", category(null=False)),
        migrations.AlterField("homerehabsession", "category", category(null=False)),
        migrations.AlterField("historicalhomerehabsession", "category", category(null=False)),
        migrations.AlterField("homevisit", "category", category(null=False)),
        migrations.AlterField("historicalhomevisit", "category", category(null=False)),
    ]
