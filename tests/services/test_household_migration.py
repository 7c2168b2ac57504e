"""The households migration backfills one household per street and address and gives each retrofit its own."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from services.models import Household, Person
from tests.services.factories import id_number_for

BEFORE = [("services", "0010_person_phones_normalised"), ("accessibility", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_backfill_makes_a_household_per_address_and_links_persons_and_retrofits(needs_postgres):
    old = _migrate(BEFORE)
    Street, OldPerson = old.get_model("services", "Street"), old.get_model("services", "Person")
    OldRetrofit = old.get_model("accessibility", "Retrofit")
    jiangning, daning = Street.objects.get(code="310106006"), Street.objects.get(code="310106019")

    def person(n: int, street, address: str):
        return OldPerson.objects.create(
            name=f"迁移{n}",
            id_number=id_number_for(n, born=datetime.date(1970, 1, 1)),
            category=4,
            grade=2,
            street=street,
            address=address,
            consent_basis="person",
            consent_given_on=datetime.date(2023, 1, 5),
        )

    first = person(1, jiangning, "江宁路1弄2号101室")
    person(2, jiangning, " 江宁路1弄2号 101室")  # the same home, typed with spaces
    person(3, daning, "江宁路1弄2号101室")  # the same words in another street
    nowhere = person(4, jiangning, "")
    for applicant in (first, nowhere):
        OldRetrofit.objects.create(
            person=applicant,
            street=applicant.street,
            type="basic",
            status="applied",
            applied_on=datetime.date(2023, 3, 1),
        )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    persons = {p.name: p for p in Person.objects.select_related("household")}
    assert persons["迁移1"].household == persons["迁移2"].household
    assert persons["迁移1"].household.address == "江宁路1弄2号101室"
    assert persons["迁移3"].household not in (None, persons["迁移1"].household)
    assert persons["迁移4"].household.address == ""
    assert Household.objects.count() == 3
    from accessibility.models import Retrofit

    assert {r.person.name: r.household for r in Retrofit.objects.select_related("person", "household")} == {
        "迁移1": persons["迁移1"].household,
        "迁移4": persons["迁移4"].household,
    }
