"""The person's timeline shows each retrofit step and each device issued or returned."""

import datetime

import pytest

from accessibility.actions import retrofit_advance, retrofit_apply
from services.registry.timeline import timeline_for
from tests.services.factories import PersonFactory

from .factories import DeviceIssueFactory

pytestmark = pytest.mark.django_db


def test_retrofit_steps_and_devices_appear_on_the_persons_timeline(member, staff_user):
    person = PersonFactory()
    case = retrofit_apply(person=person, by=member, type="basic", applied_on=datetime.date(2023, 3, 1))
    retrofit_advance(retrofit=case, to="rejected", by=staff_user, on=datetime.date(2023, 3, 8), note="不符合条件")
    DeviceIssueFactory(person=person, issued_on=datetime.date(2023, 4, 1), returned_on=datetime.date(2023, 9, 1))
    DeviceIssueFactory(issued_on=datetime.date(2023, 4, 1))  # someone else's
    entries = [e for e in timeline_for(person) if e.kind in ("Home retrofit", "Assistive device")]
    assert [(e.kind, e.title) for e in entries] == [
        ("Assistive device", "Smart wristband returned"),
        ("Assistive device", "Smart wristband issued"),
        ("Home retrofit", f"#{case.pk} Basic type · Rejected · {staff_user.username}"),
        ("Home retrofit", f"#{case.pk} Basic type · Applied · {member.username}"),
    ]
    assert [e.when.date() for e in entries] == [datetime.date(2023, m, d) for m, d in ((9, 1), (4, 1), (3, 8), (3, 1))]
    assert entries[2].detail == "不符合条件"
