"""The demo's 2023 employment figures read as the article; records that must not count are there too."""

from employment import stats
from employment.models import Enrollment, Placement, PlacementFollowUp, Referral
from reports.figures import counted, get
from reports.stats import percent
from services.models import Person


def test_the_2023_figures_match_the_article(demo_year):
    assert "Employment:" in demo_year.output
    assert get("trained").compute(2023) == 204
    assert get("certified").compute(2023) == 23
    assert get("placed").compute(2023) == 325
    assert graduates(2023) == (6, 6)
    assert percent(6, 6) == 100


def test_records_that_must_not_count_are_there_too():
    assert get("trained").tally.records(2023).count() > 204  # some completed two courses
    assert get("certified").tally.records(2023).count() > 23  # one person earned two certificates
    assert Enrollment.objects.filter(status=Enrollment.Status.DROPPED_OUT, course__ends_on__year=2023).exists()
    assert Placement.objects.filter(started_on__year=2023, recommended=False).count() > 0
    assert get("trained").compute(2022) > 0
    assert get("trained").compute(2024) > 0
    assert get("placed").compute(2022) > 0
    assert get("placed").compute(2024) > 0
    whole, placed = graduates(2022)
    assert placed < whole
    retention = stats.retention(2023)
    assert 0 < retention.employed_12 < retention.checked_12 <= retention.placements
    assert PlacementFollowUp.objects.filter(recorded_on__isnull=True, placement__started_on__year=2023).exists()


def test_trainees_are_active_and_referrals_come_from_the_members_own_streets():
    assert not Enrollment.objects.exclude(person__status=Person.Status.ACTIVE).exists()
    referrals = list(Referral.objects.select_related("referred_by", "person"))
    assert referrals
    for referral in referrals:
        assert Person.objects.visible_to(referral.referred_by).filter(pk=referral.person_id).exists()


def graduates(year: int) -> tuple[int, int]:
    """New graduates of `year` and those placed, as the report counts them."""
    values = counted(year, [get("new_graduates"), get("new_graduates_placed")])
    return values["new_graduates"].value, values["new_graduates_placed"].value
