"""One phone rule (services.registry.validation): registry forms, the import, existing rows, data quality, reminders."""

import importlib
import logging

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from services.escorts.tasks import send_escort_reminders
from services.models import Person, Reminder
from services.registry.forms import PersonForm
from services.registry.spreadsheets import import_persons
from tests.services.factories import PersonFactory, eligible_person, make_slot
from tests.services.test_escorts import book
from tests.services.test_spreadsheets import valid_row, xlsx

pytestmark = pytest.mark.django_db


def edit(person: Person, **changes: str) -> PersonForm:
    data = {
        k: v for k, v in model_to_dict(person).items() if v is not None and k not in ("id_number", "certificate_number")
    }
    return PersonForm(data={**data, **changes}, instance=person)


def test_a_registry_phone_is_stored_like_an_event_phone(street):
    person = PersonFactory(street=street)
    form = edit(person, phone="+86 (139) 1234-5678", guardian_phone="6234 5678")
    assert form.is_valid(), form.errors
    form.save()
    person.refresh_from_db()
    assert (person.phone, person.guardian_phone) == ("13912345678", "02162345678")


@pytest.mark.parametrize("field", ["phone", "guardian_phone"])
def test_a_registry_phone_that_fails_the_rule_is_refused(street, field):
    person = PersonFactory(street=street)
    with translation.override("en"):
        form = edit(person, **{field: "12345"})
        assert not form.is_valid()
        assert "Enter a mobile number" in form.errors[field][0]
    with pytest.raises(ValidationError) as exc:
        PersonFactory.build(street=street, **{field: "call the neighbour"}).full_clean()
    assert field in exc.value.error_dict


def test_the_import_stores_phones_by_the_rule_and_refuses_a_bad_one(staff_user):
    with translation.override("en"):
        bad = import_persons(data=xlsx([valid_row(联系电话="12345")]), by=staff_user)
        assert [(e.column, e.message[:24]) for e in bad.errors] == [("联系电话", "Enter a mobile number of")]
        assert not Person.objects.exists()
        good = import_persons(
            data=xlsx([valid_row(联系电话="139 1234 5678", 监护人电话="(021) 6234-5678")]), by=staff_user
        )
    assert good.ok
    assert Person.objects.values_list("phone", "guardian_phone").get() == ("13912345678", "02162345678")


def test_the_migration_normalises_the_phones_it_can_read_and_keeps_the_others(street):
    readable = PersonFactory(street=street, phone="+86 139-1234-5678", guardian_phone="６２３４５６７８")
    unreadable = PersonFactory(street=street, phone="邻居代接", guardian_phone="12345")
    migration = importlib.import_module("services.migrations.0010_person_phones_normalised")
    migration.normalise_phones(apps, None)
    readable.refresh_from_db()
    unreadable.refresh_from_db()
    assert (readable.phone, readable.guardian_phone) == ("13912345678", "02162345678")
    assert (unreadable.phone, unreadable.guardian_phone) == ("邻居代接", "12345")


def test_data_quality_lists_the_persons_whose_phone_fails_the_rule(client, member, street, other_street):
    bad = PersonFactory(street=street, phone="12345")
    bad_guardian = PersonFactory(street=street, guardian_phone="邻居")
    PersonFactory(street=street, phone="02162345678", guardian_phone="")
    PersonFactory(street=other_street, phone="12345")
    PersonFactory(street=street, phone="12345", status=Person.Status.MOVED_OUT, status_changed_on="2024-01-01")
    client.force_login(member)
    response = client.get(reverse("field:quality"))
    listed = list(response.context["bad_phones"])
    assert listed == sorted([bad, bad_guardian], key=lambda p: (p.name, p.pk))
    assert [(p.phone_fails, p.guardian_phone_fails) for p in listed] == [(p == bad, p == bad_guardian) for p in listed]
    body = response.content.decode()
    assert reverse("field:person", args=[bad.pk]) in body
    assert "12345" not in body


def test_reminders_skip_a_number_that_fails_the_rule_and_say_so_without_it(street, staff_user, caplog):
    to_guardian = book(
        eligible_person(street, phone="12345", guardian_phone="021-6234 5678"), make_slot(days_ahead=1), staff_user
    )
    nobody = book(eligible_person(street, phone="邻居代接"), make_slot(days_ahead=1, hour=9), staff_user)
    with caplog.at_level(logging.WARNING, logger="portal.escorts"):
        assert send_escort_reminders.delay().get() == 1
    assert Reminder.objects.get().booking == to_guardian
    assert Reminder.objects.get().address == "021****5678"
    assert not nobody.reminders.exists()
    assert f"escort booking {nobody.pk}" in caplog.text
    assert "12345" not in caplog.text
    assert "邻居代接" not in caplog.text
