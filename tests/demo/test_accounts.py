"""seed_demo: the demo accounts and registry, created once however often it runs (on the demo year
seeded once for tests/demo, rather than a registry of 400 seeded twice by this test alone)."""

from services.models import HomeVisit, Person, User
from services.registry import roles


def test_seed_demo_creates_accounts_and_registry_and_running_again_duplicates_nothing(demo_year):
    first, second = demo_year.first, demo_year.second
    visits, follow_ups, users = first["services.HomeVisit"], first["services.FollowUp"], first["services.User"]
    assert User.objects.count() == users == second["services.User"]
    assert Person.objects.count() == 3000
    assert visits > 0
    assert (second["services.HomeVisit"], second["services.FollowUp"]) == (visits, follow_ups)
    assert set(HomeVisit.objects.values_list("street__code", flat=True)) == {"310106006", "310106019"}
    assert (
        User.objects.filter(username__in=["staff", "auditor", "member_jiangning", "member_daning", "volunteer"]).count()
        == 5
    )
    assert "member_jiangning" in demo_year.output
    assert "jingan-demo-2023" in demo_year.output
    member = User.objects.get(username="member_jiangning")
    assert member.groups.get().name == roles.COMMITTEE_MEMBER
    assert [a.street.code for a in member.street_assignments.all()] == ["310106006"]
    assert User.objects.get(username="staff").check_password("jingan-demo-2023")
    assert Person.objects.values("street").distinct().count() == 14
    assert Person.objects.values("category").distinct().count() == 7
