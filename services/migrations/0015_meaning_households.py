"""Households (户): one per street and address, every person linked to theirs.

The backfill makes a household for each distinct address of each street (full-width characters folded,
white space dropped) and links its persons; a person without an address gets a household of their own until one is
recorded. Retrofits take their household in accessibility's migration that follows.
"""

import unicodedata

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BATCH = 1000


def _address(value):
    # A frozen copy of services.registry.households.household_address as it was when this migration was written.
    return "".join(unicodedata.normalize("NFKC", value).split())


def backfill_households(apps, schema_editor):
    Household = apps.get_model("services", "Household")
    Person = apps.get_model("services", "Person")
    rows = list(Person.objects.filter(household__isnull=True).order_by("pk").values_list("pk", "street_id", "address"))
    wanted = sorted({(street, _address(address)) for _pk, street, address in rows if _address(address)})
    Household.objects.bulk_create(
        [Household(street_id=street, address=address) for street, address in wanted],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    found = {(h.street_id, h.address): h.pk for h in Household.objects.exclude(address="")}
    changed = []
    for pk, street, address in rows:
        address = _address(address)
        household_id = found[(street, address)] if address else Household.objects.create(street_id=street).pk
        changed.append(Person(pk=pk, household_id=household_id))
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, ["household"])
            changed = []
    Person.objects.bulk_update(changed, ["household"])


class Migration(migrations.Migration):
    dependencies = [("services", "0014_merge_person_merged_into")]

    operations = [
        migrations.CreateModel(
            name="Household",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                (
                    "street",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="households",
                        to="services.street",
                        verbose_name="street",
                    ),
                ),
            ],
            options={
                "verbose_name": "household",
                "verbose_name_plural": "households",
                "ordering": ["street", "address", "id"],
            },
        ),
        migrations.AddField(
            model_name="person",
            name="household",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="services.household",
                verbose_name="household",
            ),
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.UniqueConstraint(
                condition=models.Q(("address", ""), _negated=True),
                fields=("street", "address"),
                name="household_one_per_address",
            ),
        ),
        migrations.RunPython(backfill_households, migrations.RunPython.noop, elidable=True),
    ]
