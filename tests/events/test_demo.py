"""seed_demo: the article's 2023 event figures, and nothing duplicated when it runs again."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from events import demo, stats
from events.models import Award, Event, Registration

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_gives_the_articles_2023_figures_and_events_to_come():
    call_command("seed_demo", persons=3000, stdout=io.StringIO())
    assert stats.culture_and_sports(year=2023) == stats.CultureAndSportsYear(year=2023, events=16, participants=1616)
    by_category = {c.category: c.events for c in stats.events_by_category(year=2023).by_category}
    assert by_category["prevention"] == by_category["training"] == 1
    # The traps exist, and count for nothing in 2023.
    assert Event.objects.filter(is_published=False, starts_at__year=2023).exists()
    assert Event.objects.filter(status=Event.Status.CANCELLED, starts_at__year=2023).exists()
    new_year = Event.objects.get(slug="2024-new-year-concert")
    assert new_year.starts_at.astimezone(datetime.UTC).year == 2023  # 2024 in Shanghai, where it counts
    awards = stats.awards(year=2023)
    assert (awards.total, awards.team, awards.individual) == (7, 3, 4)
    upcoming = Event.objects.filter(is_published=True, starts_at__gt=timezone.now(), status="scheduled")
    assert upcoming.count() >= 6
    assert upcoming.filter(registrations__status="waitlisted").exists()
    assert Registration.objects.filter(source="registry").exists()
    counts = (Event.objects.count(), Registration.objects.count(), Award.objects.count())
    demo.seed(year=2023, persons=3000, stdout=io.StringIO())
    assert (Event.objects.count(), Registration.objects.count(), Award.objects.count()) == counts
    assert stats.culture_and_sports(year=2023).participants == 1616
