"""Demo home visits for the demo registry."""

import datetime
import random
import uuid

from django.utils import timezone

from services.models import FollowUp, Person, User
from services.registry.demo import DEMO_ACCOUNTS
from services.visits.actions import home_visit_record


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
