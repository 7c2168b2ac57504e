"""The demo's 2023 accessibility work reads as the article; the records that must not count do not."""

from django.db.models import Count, Q

from accessibility import stats
from accessibility.models import DeviceIssue, Retrofit, SignLanguagePoint

ARTICLE_STREETS = ("310106019", "310106020", "310106021", "310106022", "310106100")


def test_the_demo_year_reads_as_the_article(demo_year):
    assert "Home retrofits of 2023" in demo_year.output
    accepted = stats.retrofits_accepted_in(2023)
    assert (accepted.total, accepted.by_type) == (450, {"standard": 210, "basic": 240})
    assert sum(accepted.by_street.values()) == 450
    ramps = stats.ramps_completed_in(2023)
    assert (ramps.passages, ramps.streets, ramps.street_codes) == (200, 5, ARTICLE_STREETS)
    assert stats.sign_language_points_in_service(2023) == 36
    assert stats.devices_issued_in(2023)["smart_wristband"] == 249
    assert 0 < stats.follow_ups_done_in(2023) < 450
    assert 30 < stats.median_days_to_acceptance(2023) < 200


def test_records_that_must_not_count_exist_and_are_left_out():
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


def test_the_demo_data_keeps_the_rules_the_actions_keep():
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
