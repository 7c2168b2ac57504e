"""Service records keep the person's disability category as it was when the service was given (issue 19).

Registrations get it. The category is added empty, filled from each record's person in one UPDATE per table
(for the records made so far the person's category today is the only one known), then left empty only for a member of the public's
registration, which has no registry person.
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
    dependencies = [("events", "0002_prevention")]

    operations = [
        migrations.AddField("registration", "category", category(null=True)),
        migrations.AddField("historicalregistration", "category", category(null=True)),
        backfill("events_registration"),
        backfill("events_historicalregistration"),
        migrations.AddConstraint(
            "registration",
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, category__isnull=True)
                | models.Q(person__isnull=False, category__isnull=False),
                name="registration_category_with_person",
            ),
        ),
    ]
