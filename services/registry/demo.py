"""Demo records of the registry: the demo accounts and a made-up registry of persons."""

import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from services.models import Person, Street, StreetAssignment, User
from services.registry import roles
from services.registry.households import households_assign, households_link
from services.registry.sample import sample_persons

DEMO_PASSWORD = "jingan-demo-2023"


# username, role, staff-site access, assigned street codes, description
DEMO_ACCOUNTS = [
    ("staff", roles.STAFF, True, [], "federation staff, all streets"),
    ("auditor", roles.AUDITOR, True, [], "auditor, read-only, access logs"),
    ("member_jiangning", roles.COMMITTEE_MEMBER, False, ["310106006"], "committee member, 江宁路街道"),
    ("member_daning", roles.COMMITTEE_MEMBER, False, ["310106019"], "committee member, 大宁路街道"),
    ("volunteer", roles.VOLUNTEER, False, [], "escort volunteer"),
]


def seed_accounts() -> None:
    """Create or refresh the demo accounts."""
    # Hashed once for the five accounts (one public password): each hash takes PBKDF2's million rounds.
    password = make_password(DEMO_PASSWORD)
    for username, role, is_staff, street_codes, _description in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.is_active = True
        user.password = password
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        for street in Street.objects.filter(code__in=street_codes):
            StreetAssignment.objects.get_or_create(user=user, street=street)


def seed_registry(count: int, *, year: int) -> int:
    """Add the demo registry: `count` persons across the 14 streets; the same ones on every run."""
    street_ids = list(Street.objects.order_by("code").values_list("pk", flat=True))
    existing = set(Person.objects.values_list("id_number", flat=True))
    persons = [
        person
        for person in sample_persons(count, street_ids=street_ids, today=datetime.date(year, 12, 31))
        if person.id_number not in existing
    ]
    # Each with its household before the insert: linking them afterwards cost an UPDATE of every row.
    households_assign(persons=persons)
    Person.objects.bulk_create(persons, batch_size=1000, ignore_conflicts=True)
    households_link(person_ids=Person.objects.filter(household__isnull=True).values_list("pk", flat=True))
    return Person.objects.count()


def describe_accounts(stdout: Any) -> None:
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, _role, _is_staff, _streets, description in DEMO_ACCOUNTS:
        stdout.write(f"  {username:<18} {description}")
