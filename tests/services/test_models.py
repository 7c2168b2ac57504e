"""The Person record: its rules in the model and the database, derived fields, history and audit."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from services.models import AccessLog, AuditEntry, Person
from services.registry.actions import person_save
from services.registry.sample import sample_persons
from tests.helpers.logs import assert_append_only
from tests.services.factories import PersonFactory, id_number_for

pytestmark = pytest.mark.django_db


def test_birth_date_and_gender_are_derived_by_the_database(street):
    person = PersonFactory(id_number="11010519491231002X", certificate_number="")
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1949, 12, 31)
    assert person.gender == "female"
    assert Person.objects.filter(birth_date__year=1949, gender="female").get() == person


def test_id_number_is_unique_in_the_database(street):
    PersonFactory(id_number="11010519491231002X", certificate_number="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number="11010519491231002X", certificate_number="")


def test_certificate_number_is_unique_when_given_but_may_be_blank(street):
    PersonFactory(certificate_number="")
    PersonFactory(certificate_number="")
    first = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(certificate_number=first.certificate_number)


def test_leaving_status_needs_a_date_in_the_database(street):
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(status=Person.Status.DECEASED, status_changed_on=None)


def test_full_clean_reports_every_broken_rule_by_field(street):
    person = PersonFactory.build(
        id_number="110105194912310021",
        status=Person.Status.MOVED_OUT,
        status_changed_on=None,
        consent_given_on=datetime.date(2099, 1, 1),
        street=street,
    )
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert set(exc.value.message_dict) >= {"id_number", "status_changed_on", "consent_given_on"}


def test_certificate_must_agree_with_category_and_grade(street):
    person = PersonFactory.build(street=street, category=4, grade=2)
    person.certificate_number = f"{person.id_number}21"
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "certificate_number" in exc.value.message_dict


def test_person_save_records_history_and_an_audit_entry_naming_the_user(street, staff_user):
    person = PersonFactory.build(street=street)
    person_save(person=person, by=staff_user)
    person.phone = "13900000000"
    person.address = "江宁路1号"
    person_save(person=person, by=staff_user)

    records = list(person.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert all(r.history_user == staff_user for r in records)
    entries = list(AuditEntry.objects.filter(object_id=str(person.pk)).order_by("at"))
    assert [e.code for e in entries] == ["services.person.created", "services.person.updated"]
    assert entries[1].data == {"fields": ["address", "phone"]}
    assert person.id_number not in str([e.data for e in entries])


def test_person_save_refuses_an_invalid_record_and_writes_nothing(street, staff_user):
    person = PersonFactory.build(street=street, id_number="110105194912310021")
    with pytest.raises(ValidationError):
        person_save(person=person, by=staff_user)
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_saving_without_changes_writes_no_audit_entry(street, staff_user):
    person = person_save(person=PersonFactory.build(street=street), by=staff_user)
    person_save(person=person, by=staff_user)
    assert AuditEntry.objects.filter(code="services.person.updated").count() == 0


def test_logs_cannot_be_changed_or_deleted(street, staff_user):
    assert_append_only(AccessLog.objects.create(user=staff_user, action=AccessLog.Action.OPENED), detail="tampered")
    assert AccessLog.objects.get().detail == ""


def test_sample_persons_are_all_valid(street):
    street_ids = [street.pk]
    persons = list(sample_persons(300, street_ids=street_ids, seed=7, today=datetime.date(2023, 12, 31)))
    for person in persons:
        person.full_clean(exclude=["street"])
    assert len({p.id_number for p in persons}) == 300


def test_factory_numbers_are_valid():
    from services.registry.identity import validate_id_number

    for n in range(0, 5000, 37):
        validate_id_number(id_number_for(n))


@pytest.mark.parametrize(
    ("category", "included", "ok"),
    [(7, "24", True), (7, "2", False), (7, "22", False), (7, "27", False), (4, "24", False), (7, "", True)],
)
def test_a_multiple_disability_lists_the_categories_it_includes(street, category, included, ok):
    person = PersonFactory.build(street=street, category=category, multiple_categories=included)
    if ok:
        person.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            person.full_clean()
        assert "multiple_categories" in exc.value.message_dict


def test_has_category_looks_inside_a_multiple_disability(street):
    person = PersonFactory.build(street=street, category=7, multiple_categories="24")
    assert person.has_category(2)
    assert person.has_category(7)
    assert not person.has_category(1)
