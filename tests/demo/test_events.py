"""The demo's 2023 event figures read as the article, beside events to come and the traps."""

import datetime

from django.utils import timezone

from events import stats
from events.models import Event, Registration
from reports.figures import counted, get


def test_the_articles_2023_figures():
    figures = counted(2023, [get("culture_events"), get("culture_participants")])
    assert (figures["culture_events"].value, figures["culture_participants"].value) == (16, 1616)
    by_category = {c.category: c.events for c in stats.events_by_category(year=2023).by_category}
    assert by_category["prevention"] == by_category["training"] == 1
    awards = stats.awards(year=2023)
    assert (awards.total, awards.team, awards.individual) == (8, 3, 5)


def test_the_traps_exist_and_count_for_nothing_in_2023():
    assert Event.objects.filter(is_published=False, starts_at__year=2023).exists()
    assert Event.objects.filter(status=Event.Status.CANCELLED, starts_at__year=2023).exists()
    new_year = Event.objects.get(slug="2024-new-year-concert")
    assert new_year.starts_at.astimezone(datetime.UTC).year == 2023  # 2024 in Shanghai, where it counts


def test_there_are_events_to_come_with_a_waiting_list():
    upcoming = Event.objects.filter(is_published=True, starts_at__gt=timezone.now(), status="scheduled")
    assert upcoming.count() >= 6
    assert upcoming.filter(registrations__status="waitlisted").exists()
    assert Registration.objects.filter(source="registry").exists()
