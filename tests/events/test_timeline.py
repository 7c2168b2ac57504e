"""The person page shows the events a person registered for and the awards they won."""

import datetime

import pytest

from events.models import Award, Registration
from services.registry.timeline import timeline_for
from tests.events.factories import AwardFactory, EventFactory, PersonRegistrationFactory
from tests.services.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_timeline_lists_registrations_with_attendance_and_awards():
    person = PersonFactory()
    event = EventFactory(title="飞镖公开赛")
    PersonRegistrationFactory(event=event, person=person, attendance=Registration.Attendance.ATTENDED)
    AwardFactory(
        competition="飞镖个人组",
        kind=Award.Kind.PERSON,
        team_name="",
        person=person,
        awarded_on=datetime.date(2023, 8, 19),
    )
    entries = timeline_for(person)
    titles = [e.title for e in entries]
    assert any("飞镖公开赛" in t for t in titles)
    assert any("飞镖个人组" in t for t in titles)
    registration_entry = next(e for e in entries if "飞镖公开赛" in e.title)
    assert "Attended" in registration_entry.detail or "参加" in registration_entry.detail
