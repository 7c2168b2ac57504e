"""The report's event figures, against a small dataset counted by hand, each in a fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import actions, stats
from events.models import Award, Event, Registration
from reports.figures import counted, get
from reports.tally import Counted
from services.models import AuditEntry
from tests.events.factories import AwardFactory, EventFactory, PublicRegistrationFactory
from tests.services.factories import PersonFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
CULTURE_AND_SPORTS = ("culture_events", "culture_participants")


def culture_and_sports(year: int) -> dict[str, Counted]:
    """The report's culture and sports figures (events, participants) of `year`, from the registry."""
    return counted(year, [get(key) for key in CULTURE_AND_SPORTS])


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def held(category: str, start: datetime.datetime, *, came: int, absent: int = 0, waiting: int = 0, **fields) -> Event:
    fields.setdefault("status", Event.Status.HELD)
    event = EventFactory(category=category, starts_at=start, ends_at=start + datetime.timedelta(hours=2), **fields)
    PublicRegistrationFactory.create_batch(came, event=event, attendance=Registration.Attendance.ATTENDED)
    PublicRegistrationFactory.create_batch(absent, event=event, attendance=Registration.Attendance.ABSENT)
    PublicRegistrationFactory.create_batch(waiting, event=event, status=Registration.Status.WAITLISTED)
    return event


@pytest.fixture
def year_2023():
    C = Event.Category
    held(C.CULTURE, at(2023, 3, 1, 9), came=3, absent=1, waiting=2)
    held(C.CULTURE, at(2023, 12, 31, 23), came=2)  # last evening of the year
    held(C.SPORTS, at(2023, 6, 1, 9), came=4)
    held(C.ESPORTS, at(2023, 7, 1, 9), came=1)
    held(C.PREVENTION, at(2023, 8, 1, 9), came=5)  # held, but not culture and sports
    # Never counted for 2023:
    held(C.CULTURE, at(2023, 5, 1, 9), came=7, status=Event.Status.SCHEDULED)  # not recorded as held
    held(C.CULTURE, at(2023, 9, 1, 9), came=6, status=Event.Status.CANCELLED, cancelled_at=at(2023, 8, 30, 9))
    held(C.CULTURE, at(2024, 1, 1, 0, 30), came=8)  # still 2023 in UTC, 2024 in Shanghai
    held(C.SPORTS, at(2022, 12, 31, 20), came=9)
    cancelled = EventFactory(status=Event.Status.CANCELLED, cancelled_at=at(2023, 1, 1, 9), starts_at=at(2023, 2, 2, 9))
    cancelled.ends_at = cancelled.starts_at + datetime.timedelta(hours=1)
    cancelled.save()
    AwardFactory(awarded_on=datetime.date(2023, 8, 12), place=Award.Place.SECOND)
    for _ in range(2):  # two persons, each third on the same day
        AwardFactory(
            awarded_on=datetime.date(2023, 8, 19),
            place=Award.Place.THIRD,
            kind=Award.Kind.PERSON,
            team_name="",
            person=PersonFactory(),
        )
    AwardFactory(
        awarded_on=datetime.date(2023, 11, 4), place=Award.Place.FIRST, event=Event.objects.get(category="esports")
    )
    AwardFactory(awarded_on=datetime.date(2023, 9, 1), place=Award.Place.FIRST, event=cancelled)  # not counted
    AwardFactory(awarded_on=datetime.date(2024, 1, 2), place=Award.Place.FIRST)  # another year


def test_culture_and_sports_counts_held_events_of_its_categories_and_attended_person_times(
    year_2023, django_assert_num_queries
):
    with django_assert_num_queries(1):
        figures = culture_and_sports(2023)
    events, participants = (figures[key] for key in CULTURE_AND_SPORTS)
    assert (events.value, participants.value) == (4, 10)
    assert events.breakdowns["event_category"] == {"culture": 2, "esports": 1, "sports": 1}
    assert participants.breakdowns["event_category"] == {"culture": 5, "esports": 1, "sports": 4}


def test_events_by_category_lists_every_category_with_zeros(year_2023, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = stats.events_by_category(year=2023)
    by = {c.category: (c.events, c.participants) for c in figures.by_category}
    assert by == {
        "culture": (2, 5),
        "sports": (1, 4),
        "esports": (1, 1),
        "prevention": (1, 5),
        "training": (0, 0),
        "party_building": (0, 0),
        "volunteering": (0, 0),
    }
    assert (figures.events, figures.participants) == (5, 15)


def test_participants_of_a_year_are_attended_registrations_at_held_events(year_2023, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert stats.events_by_category(year=2023).participants == 15
    assert stats.events_by_category(year=2024).participants == 8
    assert stats.events_by_category(year=2022).participants == 9


def test_awards_of_a_year_count_places_won_elsewhere_and_at_held_events(year_2023, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = stats.awards(year=2023)
    assert (figures.total, figures.team, figures.individual) == (4, 2, 2)
    assert [(place, n) for place, _label, n in figures.by_place] == [("first", 1), ("second", 1), ("third", 2)]


def test_figures_are_zero_for_a_year_without_events():
    assert [figure.value for figure in culture_and_sports(2030).values()] == [0, 0]
    assert stats.awards(year=2030).total == 0


def test_figures_are_frozen():
    figures = stats.events_by_category(year=2023)
    with pytest.raises(AttributeError):
        figures.events = 3
    events = culture_and_sports(2023)["culture_events"]
    with pytest.raises(AttributeError):
        events.value = 3


def test_unpublishing_a_held_2023_event_leaves_the_figures_unchanged(staff_user):
    event = held(Event.Category.CULTURE, at(2023, 5, 1, 9), came=80, status=Event.Status.SCHEDULED)
    actions.event_mark_held(event=event, by=staff_user)
    before = culture_and_sports(2023)
    assert (before["culture_events"].value, before["culture_participants"].value) == (1, 80)
    actions.event_publish(event=event, by=staff_user, published=False)
    assert culture_and_sports(2023) == before
    assert stats.events_by_category(year=2023).participants == 80


def test_a_cancelled_event_is_not_counted_and_cannot_be_recorded_as_held(staff_user):
    event = held(Event.Category.CULTURE, at(2023, 5, 1, 9), came=20, status=Event.Status.SCHEDULED)
    event.status, event.cancelled_at = Event.Status.CANCELLED, at(2023, 4, 30, 9)
    event.save()
    with pytest.raises(ValidationError) as refused:
        actions.event_mark_held(event=event, by=staff_user)
    assert refused.value.code == "cancelled"
    figures = culture_and_sports(2023)
    assert (figures["culture_events"].value, figures["culture_participants"].value) == (0, 0)


def test_an_event_is_recorded_as_held_once_it_has_started_and_only_once(staff_user):
    event = EventFactory(starts_at=at(2023, 5, 1, 9), ends_at=at(2023, 5, 1, 11))
    with pytest.raises(ValidationError) as early:
        actions.event_mark_held(event=event, by=staff_user, now=at(2023, 4, 30, 9))
    assert early.value.code == "not_started"
    actions.event_mark_held(event=event, by=staff_user)
    event.refresh_from_db()
    assert event.is_held
    assert AuditEntry.objects.get(code="events.event.held").user == staff_user
    assert event.history.latest().history_user == staff_user
    with pytest.raises(ValidationError) as again:
        actions.event_mark_held(event=event, by=staff_user)
    assert again.value.code == "held"
    with pytest.raises(ValidationError) as cancel:
        actions.event_cancel(event=event, by=staff_user, now=at(2023, 4, 1, 9))
    assert cancel.value.code == "held"
