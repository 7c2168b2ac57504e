"""Each home retrofit belongs to a household: the applicant's, as services' backfill linked them."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 1000


def backfill_retrofit_households(apps, schema_editor):
    Retrofit = apps.get_model("accessibility", "Retrofit")
    Household = apps.get_model("services", "Household")
    Person = apps.get_model("services", "Person")
    changed = []
    cases = Retrofit.objects.filter(household__isnull=True).values_list("pk", "person_id", "person__household_id")
    for pk, person_id, household_id in cases.order_by("pk").iterator(chunk_size=BATCH):
        if household_id is None:  # a person added between the two migrations: their own household
            person = Person.objects.get(pk=person_id)
            household_id = Household.objects.create(street_id=person.street_id).pk
            Person.objects.filter(pk=person_id).update(household_id=household_id)
        changed.append(Retrofit(pk=pk, household_id=household_id))
        if len(changed) >= BATCH:
            Retrofit.objects.bulk_update(changed, ["household"])
            changed = []
    Retrofit.objects.bulk_update(changed, ["household"])


class Migration(migrations.Migration):
    dependencies = [
        ("accessibility", "0003_correct_retrofit_voided"),
        ("services", "0015_meaning_households"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalretrofit",
            name="household",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="services.household",
                verbose_name="household",
            ),
        ),
        migrations.AddField(
            model_name="retrofit",
            name="household",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="retrofits",
                to="services.household",
                verbose_name="household",
            ),
        ),
        migrations.RunPython(backfill_retrofit_households, migrations.RunPython.noop, elidable=True),
    ]
