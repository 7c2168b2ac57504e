"""Factories of registry records with valid, unique numbers."""

import datetime
import uuid

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from services.models import EscortSlot, Hospital, Person, Street, User, Volunteer
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
