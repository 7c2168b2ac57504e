"""seed_demo: refused without DEBUG, and the demo centres follow the demo year.

The accounts and registry it creates, and a second run duplicating nothing, are checked on the
demo year seeded once for every test of tests/demo (tests/demo/test_accounts.py)."""

import pytest
from django.core.management import CommandError, call_command

from services.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", persons=10)
    assert not User.objects.exists()


def test_the_demo_centres_follow_the_demo_year():
    """seed_demo --year 2030: five rehabilitation homes at the end of 2030, as the article's 2023 had."""
    import datetime

    from services.models import RehabCentre
    from services.rehab.demo import seed_centres

    assert seed_centres(year=2030) == 5
    assert RehabCentre.objects.certified_at_end_of(2030).count() == 5
    assert RehabCentre.objects.certified_at_end_of(2031).count() == 6  # one accepted the year after
    revoked = RehabCentre.objects.get(certification="revoked")
    assert (revoked.accepted_on, revoked.revoked_on) == (datetime.date(2028, 9, 1), datetime.date(2030, 6, 30))
    assert not RehabCentre.objects.filter(accepted_on__year=2023).exists()
