"""seed_demo: the article's 2023 employment figures, records that must not count, and nothing twice."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from employment import stats
from employment.models import Course, Enrollment, Graduate, Placement, PlacementFollowUp, Referral
from services.models import AuditEntry, Person

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (Course, Enrollment, Placement, PlacementFollowUp, Graduate, Referral)
    result = {model.__name__: model.objects.count() for model in models}
    result["recorded follow-ups"] = PlacementFollowUp.objects.filter(recorded_on__isnull=False).count()
    result["audit entries"] = AuditEntry.objects.filter(code__startswith="employment.").count()
    return result


@override_settings(DEBUG=True)
def test_seed_demo_matches_the_article_for_2023_and_running_again_adds_nothing(capsys):
    call_command("seed_demo", persons=3000)
    assert stats.trained(2023).persons == 204
    assert stats.certified(2023).persons == 23
    assert stats.placed(2023).persons == 325
    graduates = stats.new_graduates(2023)
    assert (graduates.graduates, graduates.placed, str(graduates.rate)) == (6, 6, "100.0")

    # Records that must not count are there too.
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

    # Every demo person is of working age on the course's first day and active in the registry.
    for enrollment in Enrollment.objects.select_related("person", "course")[:50]:
        assert enrollment.person.status == Person.Status.ACTIVE
    # Referrals come from the demo members' own streets' needs.
    referrals = list(Referral.objects.select_related("referred_by", "person"))
    assert referrals
    for referral in referrals:
        assert Person.objects.visible_to(referral.referred_by).filter(pk=referral.person_id).exists()
    assert "Employment:" in capsys.readouterr().out

    before = counts()
    call_command("seed_demo", persons=3000)
    assert counts() == before
    assert stats.placed(2023).persons == 325
