"""The demo's 2023 escorts read as the article, with no double booking of a person or a volunteer."""

from django.db.models import Count

from reports.figures import get
from services.models import EscortBooking, User


def test_the_demo_2023_escorts_read_as_the_article():
    assert get("escort_person_visits").compute(2023, None) == 3138
    bookings = EscortBooking.objects.filter(slot__starts_at__year=2023)
    assert (bookings.filter(status="no_show").count(), bookings.filter(status="cancelled").count()) == (120, 150)
    volunteer = User.objects.get(username="volunteer").volunteer
    assert volunteer.bookings.filter(status="booked").count() == 2


def test_no_one_is_booked_twice_on_one_morning_and_no_volunteer_escorts_two_at_once():
    active = EscortBooking.objects.exclude(status="cancelled")
    doubled = active.values("person", "slot__starts_at").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists()
    busy = active.exclude(volunteer=None).values("volunteer", "slot__starts_at").annotate(n=Count("pk")).filter(n__gt=1)
    assert not busy.exists()
