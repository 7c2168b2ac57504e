"""Factories of registry records with valid, unique numbers."""

import datetime
import uuid

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from services.models import EscortBooking, EscortSlot, FollowUp, HomeVisit, Hospital, Person, Street, User, Volunteer
from services.registry.identity import check_character


def id_number_for(n: int, born: datetime.date = datetime.date(1960, 1, 1), sequence: int | None = None) -> str:
    first17 = f"310106{born + datetime.timedelta(days=n // 999):%Y%m%d}{(sequence or n % 999 + 1):03d}"
    return first17 + check_character(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    id_number = factory.Sequence(id_number_for)
    category = 2
    grade = 1
    certificate_number = factory.LazyAttribute(lambda p: f"{p.id_number}{p.category}{p.grade}")
    street = factory.LazyFunction(lambda: Street.objects.get(code="310106006"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    consent_basis = Person.ConsentBasis.PERSON
    consent_given_on = datetime.date(2023, 1, 5)


class ServedRecordFactory(factory.django.DjangoModelFactory):
    """A service record keeps its person's street and category as they were when it was given
    (`Person.as_served`); each subclass says who the person is."""

    class Meta:
        abstract = True

    street = factory.LazyAttribute(lambda record: record.person.street)
    category = factory.LazyAttribute(lambda record: record.person.category)


class EscortBookingFactory(ServedRecordFactory):
    """A booking written directly at any status, without the action: a past escort for hand-built figures, or a
    record the action would refuse today. `requested_by` is the user who asked for it."""

    class Meta:
        model = EscortBooking

    person = factory.SubFactory(PersonFactory)
    slot = factory.LazyFunction(lambda: make_slot())
    need = EscortBooking.Need.DEAF
    status = EscortBooking.Status.BOOKED
    minutes = factory.LazyAttribute(lambda b: 60 if b.status == EscortBooking.Status.COMPLETED else None)


def person_aged(street: Street, years: int, *, category: int, grade: int, sequence: int = 7, **kwargs) -> Person:
    """A person of `street` who turned `years` about a month ago (their ID number says so)."""
    born = timezone.localdate() - datetime.timedelta(days=365 * years + 30)
    return PersonFactory(
        street=street,
        id_number=id_number_for(0, born=born, sequence=sequence),
        category=category,
        grade=grade,
        **kwargs,
    )


def eligible_person(street: Street, **kwargs) -> Person:
    """A person with a hearing disability: eligible for the escort clinics at any age."""
    return PersonFactory(street=street, category=2, grade=1, **kwargs)


def make_slot(*, days_ahead: float = 2, capacity: int = 3, hospital: str = "华东医院", hour: int = 8) -> EscortSlot:
    start = timezone.localtime() + datetime.timedelta(days=days_ahead)
    start = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    slot, _created = EscortSlot.objects.get_or_create(
        hospital=Hospital.objects.get(name_zh=hospital),
        starts_at=start,
        defaults={"ends_at": start + datetime.timedelta(hours=3), "capacity": capacity},
    )
    return slot


def make_volunteer(
    username: str, *, signs: bool = False, guides: bool = False, phone: str = "13700001111"
) -> Volunteer:
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    user.groups.add(Group.objects.get(name="volunteer"))
    return Volunteer.objects.create(
        user=user,
        phone=phone,
        sign_language=Volunteer.SignLanguage.FLUENT if signs else Volunteer.SignLanguage.NONE,
        guide_trained=guides,
    )


def file_visit(person: Person, by: User, *, needs=(), mode: str = "home", visited_on=None, purpose: str = "routine"):
    """File a home visit through the real action (follow-ups included) and return it."""
    from services.visits.actions import home_visit_record

    visit, _created = home_visit_record(
        person=person,
        by=by,
        visited_on=visited_on or timezone.localdate(),
        mode=mode,
        purpose=purpose,
        findings="",
        needs=list(needs),
        submission_key=uuid.uuid4(),
    )
    return visit


def visit_written(person: Person, by: User, *, on: datetime.date, needs=(), purpose: str = "routine") -> HomeVisit:
    """A home visit and its open needs written directly, without the action: for hand-built figures, or for a
    person the action would no longer visit (deceased, moved out)."""
    visit = HomeVisit.objects.create(
        person=person,
        **person.as_served(),
        visited_on=on,
        visitor=by,
        purpose=purpose,
        submission_key=uuid.uuid4(),
    )
    for need in needs:
        FollowUp.objects.create(visit=visit, person=person, street=person.street, need=need, due_on=on)
    return visit
