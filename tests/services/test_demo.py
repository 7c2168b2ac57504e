"""seed_demo: the demo accounts and registry, created once however often it runs."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings

from services import roles
from services.models import EscortBooking, FollowUp, HomeVisit, Person, User
from services.stats import escort_figures

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_creates_accounts_and_registry_and_running_again_duplicates_nothing(capsys):
    call_command("seed_demo", persons=400)
    first = capsys.readouterr().out
    visits, follow_ups, users = HomeVisit.objects.count(), FollowUp.objects.count(), User.objects.count()
    call_command("seed_demo", persons=400)
    assert User.objects.count() == users
    assert Person.objects.count() == 400
    assert visits > 0
    assert (HomeVisit.objects.count(), FollowUp.objects.count()) == (visits, follow_ups)
    assert set(HomeVisit.objects.values_list("street__code", flat=True)) == {"310106006", "310106019"}
    assert (
        User.objects.filter(username__in=["staff", "auditor", "member_jiangning", "member_daning", "volunteer"]).count()
        == 5
    )
    assert "member_jiangning" in first
    assert "jingan-demo-2023" in first
    member = User.objects.get(username="member_jiangning")
    assert member.groups.get().name == roles.COMMITTEE_MEMBER
    assert [a.street.code for a in member.street_assignments.all()] == ["310106006"]
    assert User.objects.get(username="staff").check_password("jingan-demo-2023")
    assert Person.objects.values("street").distinct().count() == 14
    assert Person.objects.values("category").distinct().count() == 7


def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", persons=10)
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_the_demo_2023_escorts_read_as_the_article():
    call_command("seed_demo", persons=3000)
    figures = escort_figures(year=2023)
    assert figures.person_visits == 3138
    assert (figures.no_shows, figures.cancelled) == (120, 150)
    call_command("seed_demo", persons=3000)
    assert escort_figures(year=2023).person_visits == 3138
    volunteer = User.objects.get(username="volunteer").volunteer
    assert volunteer.bookings.filter(status="booked").count() == 2
    # No one is booked twice on one morning, no volunteer escorts two people at once.
    active = EscortBooking.objects.exclude(status="cancelled")
    doubled = active.values("person", "slot__starts_at").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists()
    busy = active.exclude(volunteer=None).values("volunteer", "slot__starts_at").annotate(n=Count("pk")).filter(n__gt=1)
    assert not busy.exists()
