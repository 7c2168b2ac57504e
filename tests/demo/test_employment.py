"""The demo's 2023 employment figures read as the article; records that must not count are there too."""

from employment import stats
from employment.models import Enrollment, Placement, PlacementFollowUp, Referral
from services.models import Person


def test_the_2023_figures_match_the_article(demo_year):
    assert "Employment:" in demo_year.output
    assert stats.trained(2023).persons == 204
    assert stats.certified(2023).persons == 23
    assert stats.placed(2023).persons == 325
    graduates = stats.new_graduates(2023)
    assert (graduates.graduates, graduates.placed, str(graduates.rate)) == (6, 6, "100.0")


def test_records_that_must_not_count_are_there_too():
    assert stats.trained(2023).completions > 204  # some completed two courses
    assert stats.certified(2023).certificates > 23  # one person earned two certificates
    assert Enrollment.objects.filter(status=Enrollment.Status.DROPPED_OUT, course__ends_on__year=2023).exists()
    assert Placement.objects.filter(started_on__year=2023, recommended=False).count() > 0
    assert stats.trained(2022).persons > 0
    assert stats.trained(2024).persons > 0
    assert stats.placed(2022).persons > 0
    assert stats.placed(2024).persons > 0
    assert stats.new_graduates(2022).placed < stats.new_graduates(2022).graduates
    retention = stats.retention(2023)
    assert 0 < retention.employed_12 < retention.checked_12 <= retention.placements
    assert PlacementFollowUp.objects.filter(recorded_on__isnull=True, placement__started_on__year=2023).exists()


def test_trainees_are_active_and_referrals_come_from_the_members_own_streets():
    assert not Enrollment.objects.exclude(person__status=Person.Status.ACTIVE).exists()
    referrals = list(Referral.objects.select_related("referred_by", "person"))
    assert referrals
    for referral in referrals:
        assert Person.objects.visible_to(referral.referred_by).filter(pk=referral.person_id).exists()
