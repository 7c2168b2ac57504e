"""seed_demo: the demo year reads as the article does, the records that must not count do not, and once only."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import override_settings

from accessibility import stats
from accessibility.models import (
    DeviceIssue,
    RampRetrofit,
    Retrofit,
    RetrofitItem,
    RetrofitLine,
    RetrofitStatusChange,
    RetrofitTypeCap,
    SignLanguagePoint,
)

pytestmark = pytest.mark.django_db

ARTICLE_STREETS = ("310106019", "310106020", "310106021", "310106022", "310106100")
MODELS = (
    Retrofit,
    RetrofitLine,
    RetrofitStatusChange,
    RetrofitItem,
    RetrofitTypeCap,
    RampRetrofit,
    SignLanguagePoint,
    DeviceIssue,
)


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


@override_settings(DEBUG=True)
def test_the_demo_year_reads_as_the_article_and_a_second_run_adds_nothing():
    out = io.StringIO()
    call_command("seed_demo", persons=3000, stdout=out)
    first = counts()
    call_command("seed_demo", persons=3000, stdout=io.StringIO())
    assert counts() == first
    assert "Home retrofits of 2023" in out.getvalue()

    accepted = stats.retrofits_accepted_in(2023)
    assert (accepted.total, accepted.by_type) == (450, {"standard": 210, "basic": 240})
    assert sum(accepted.by_street.values()) == 450
    ramps = stats.ramps_completed_in(2023)
    assert (ramps.passages, ramps.streets, ramps.street_codes) == (200, 5, ARTICLE_STREETS)
    assert stats.sign_language_points_in_service(2023) == 36
    assert stats.devices_issued_in(2023)["smart_wristband"] == 249
    assert 0 < stats.follow_ups_done_in(2023) < 450
    assert 30 < stats.median_days_to_acceptance(2023) < 200

    # Records beside them that must not count: they exist, and the figures above left them out.
    by_status = dict(Retrofit.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status["rejected"] == 10
    assert by_status["withdrawn"] == 8
    assert sum(by_status[s] for s in Retrofit.OPEN) == 16
    assert stats.retrofits_accepted_in(2022).total == 12
    assert stats.ramps_completed_in(2022).passages == 8
    assert stats.ramps_completed_in(2024).street_codes == ("310106014",)
    assert SignLanguagePoint.objects.count() == 39
    assert DeviceIssue.objects.filter(issued_on__year=2022).count() == 20
    assert stats.devices_issued_in(2023)["hearing_aid"] == 12

    # The data keeps the rules the actions keep.
    assert Retrofit.objects.filter(status__in=Retrofit.OPEN).values("person").distinct().count() == 16
    capped = Retrofit.objects.exclude(cap_exception_reason="")
    assert capped.count() == 2
    assert all(case.approved_total > 8000 for case in capped)
    assert not Retrofit.objects.filter(
        approved_on__isnull=False, cap_exception_reason="", type="basic", approved_total__gt=3000
    ).exists()
    assert not Retrofit.objects.filter(
        approved_on__isnull=False, cap_exception_reason="", type="standard", approved_total__gt=8000
    ).exists()
    wristbands = DeviceIssue.objects.filter(issued_on__year=2023, device_type="smart_wristband")
    assert wristbands.values("person").distinct().count() == 249
    assert wristbands.filter(person__category=5).count() > 200
    steps = Retrofit.objects.annotate(n=Count("status_changes")).filter(
        Q(status="followed_up", n=6) | Q(status="accepted", n=5) | Q(status="applied", n=1)
    )
    assert (
        steps.filter(status__in=["accepted", "followed_up"]).count()
        == Retrofit.objects.filter(status__in=Retrofit.DONE).count()
    )


@override_settings(DEBUG=True)
def test_a_small_registry_still_gets_the_whole_demo_without_breaking_a_rule():
    call_command("seed_demo", persons=60, stdout=io.StringIO())
    assert stats.retrofits_accepted_in(2023).total == 450
    assert stats.devices_issued_in(2023)["smart_wristband"] == 249
    assert (
        DeviceIssue.objects.filter(returned_on__isnull=True)
        .values("person", "device_type")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )
