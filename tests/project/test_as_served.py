"""Every action that gives a person a service keeps the person's street and category on the record (STYLE 14b)."""

import datetime

import pytest

from accessibility.actions import device_issue_save, retrofit_apply
from accessibility.models import DeviceIssue
from employment import actions as employment
from events.actions import registration_create
from services.escorts import actions as escorts
from services.models import EscortService, Person
from services.registry.actions import person_save
from tests.employment.factories import CourseFactory, place, worker
from tests.events.factories import EventFactory
from tests.services.factories import file_visit, make_slot

pytestmark = pytest.mark.django_db


def _escort(person, staff, member):
    return escorts.escort_booking_create(
        person=person,
        slot=make_slot(),
        need="deaf",
        services=EscortService.objects.filter(code="registration"),
        by=staff,
    )


def _device(person, staff, member):
    device = DeviceIssue(person=person, device_type="smart_wristband", issued_on=datetime.date(2023, 4, 1))
    return device_issue_save(device=device, by=staff)


def _placement(person, staff, member):
    return place(staff, person)


CREATES = {
    "escort booking": _escort,
    "home visit": lambda person, staff, member: file_visit(person, by=member),
    "home retrofit": lambda person, staff, member: retrofit_apply(person=person, by=member, type="basic"),
    "device issued": _device,
    "enrolment": lambda person, staff, member: employment.enrollment_create(
        person=person, course=CourseFactory(), by=staff
    ),
    "placement": _placement,
    "graduate": lambda person, staff, member: employment.graduate_register(
        person=person, graduation_year=2023, by=staff
    ),
    "event registration": lambda person, staff, member: registration_create(
        event=EventFactory(), by=staff, person=person
    )[0],
}


@pytest.mark.parametrize("create", CREATES.values(), ids=CREATES.keys())
def test_the_record_keeps_the_street_and_category_the_person_had_when_served(
    create, staff_user, member, street, other_street
):
    person = worker(street=street, category=2, grade=1)  # hearing: eligible for the escort clinics
    record = create(person, staff_user, member)
    assert (record.street, record.category) == (street, Person.Category.HEARING)
    person.street, person.category, person.multiple_categories = other_street, Person.Category.MULTIPLE, "24"
    person.certificate_number = f"{person.id_number}{person.category}{person.grade}"
    person_save(person=person, by=staff_user)
    record.refresh_from_db()
    assert (record.street, record.category) == (street, Person.Category.HEARING)


def test_correcting_a_device_keeps_the_street_and_category_it_was_issued_under(staff_user, street, other_street):
    person = worker(street=street, category=5, grade=2)
    device = _device(person, staff_user, None)
    person.street, person.category = other_street, Person.Category.MULTIPLE
    person.certificate_number = f"{person.id_number}{person.category}{person.grade}"
    person_save(person=person, by=staff_user)
    device.serial_number = "SW-corrected"
    device_issue_save(device=device, by=staff_user)
    device.refresh_from_db()
    assert (device.serial_number, device.street, device.category) == ("SW-corrected", street, 5)
