"""seed_demo: the demo accounts and registry, created once however often it runs."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from services import roles
from services.models import FollowUp, HomeVisit, Person, User

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


def test_the_demo_centres_follow_the_demo_year():
    """seed_demo --year 2030: five rehabilitation homes at the end of 2030, as the article's 2023 had."""
    import datetime

    from services.demo_rehab import seed_centres
    from services.models import RehabCentre

    assert seed_centres(year=2030) == 5
    assert RehabCentre.objects.certified_at_end_of(2030).count() == 5
    assert RehabCentre.objects.certified_at_end_of(2031).count() == 6  # one accepted the year after
    revoked = RehabCentre.objects.get(certification="revoked")
    assert (revoked.accepted_on, revoked.revoked_on) == (datetime.date(2028, 9, 1), datetime.date(2030, 6, 30))
    assert not RehabCentre.objects.filter(accepted_on__year=2023).exists()
