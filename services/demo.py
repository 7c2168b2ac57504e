"""Demo records of the registry: the demo accounts and a made-up registry of persons."""

import datetime
import random
import uuid
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from . import demo_escorts, demo_rehab, roles
from .actions import home_visit_record
from .households import households_link
from .models import FollowUp, Person, Street, StreetAssignment, User
from .sample import sample_persons

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
    for username, role, is_staff, street_codes, _description in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        for street in Street.objects.filter(code__in=street_codes):
            StreetAssignment.objects.get_or_create(user=user, street=street)


def seed_registry(count: int, *, year: int) -> int:
    """Add the demo registry: `count` persons across the 14 streets; the same ones on every run."""
    street_ids = list(Street.objects.order_by("code").values_list("pk", flat=True))
    persons = list(sample_persons(count, street_ids=street_ids, today=datetime.date(year, 12, 31)))
    Person.objects.bulk_create(persons, batch_size=1000, ignore_conflicts=True)
    households_link(person_ids=Person.objects.filter(household__isnull=True).values_list("pk", flat=True))
    return Person.objects.count()


def seed_visits(*, share: float = 0.4) -> int:
    """Visits by the demo committee members over the past year, some with needs; the same on every run."""
    rng = random.Random(4)
    today = timezone.localdate()
    needs = [choice for choice, _label in FollowUp.Need.choices]
    filed = 0
    for username, _role, _is_staff, street_codes, _description in DEMO_ACCOUNTS:
        if not street_codes:
            continue
        member = User.objects.get(username=username)
        for person in Person.objects.filter(street__code__in=street_codes, status=Person.Status.ACTIVE).order_by("pk"):
            if rng.random() > share:
                continue
            mode = rng.choices(["home", "in_person", "phone", "lost_contact"], [60, 15, 20, 5])[0]
            home_visit_record(
                person=person,
                by=member,
                visited_on=today - datetime.timedelta(days=rng.randrange(0, 360)),
                mode=mode,
                purpose=rng.choice(["routine", "routine", "needs_assessment", "campaign"]),
                findings="",
                needs=[] if mode == "lost_contact" else rng.sample(needs, rng.choice([0, 0, 1, 1, 2])),
                submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-visit/{person.id_number}"),
            )
            filed += 1
    return filed


def seed(*, year: int, persons: int, stdout: Any) -> None:
    seed_accounts()
    total = seed_registry(persons, year=year)
    stdout.write(f"Registry: {total} persons.")
    stdout.write(f"Home visits by the demo committee members: {seed_visits()}.")
    demo_escorts.seed(year=year, stdout=stdout)
    demo_rehab.seed(year=year, stdout=stdout)


def describe_accounts(stdout: Any) -> None:
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, _role, _is_staff, _streets, description in DEMO_ACCOUNTS:
        stdout.write(f"  {username:<18} {description}")
