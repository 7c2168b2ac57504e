"""The demo's 2023 accessibility work reads as the article; the records that must not count do not."""

from collections import Counter

from django.db.models import Count, Q

from accessibility import stats
from accessibility.models import DeviceIssue, Retrofit, SignLanguagePoint
from accessibility.selectors import PlaceKind, public_place_list
from reports.figures import counted, get
from services.models import Street

ARTICLE_STREETS = ("310106019", "310106020", "310106021", "310106022", "310106100")


def test_the_demo_year_reads_as_the_article(demo_year):
    assert "Home retrofits of 2023" in demo_year.output
    keys = ("home_retrofits", "ramp_passages", "ramp_streets", "sign_language_points")
    figures = counted(2023, [get(key) for key in keys])
    accepted = figures["home_retrofits"]
    assert (accepted.value, accepted.breakdowns["type"]) == (450, {"standard": 210, "basic": 240})
    assert sum(accepted.breakdowns["street"].values()) == 450
    ramps = figures["ramp_passages"]
    assert (ramps.value, figures["ramp_streets"].value) == (200, 5)
    assert tuple(sorted(ramps.breakdowns["street"])) == ARTICLE_STREETS
    assert figures["sign_language_points"].value == 36
    assert get("smart_wristbands").compute(2023) == 249
    assert 0 < stats.follow_ups_done_in(2023) < 450
    assert 30 < stats.median_days_to_acceptance(2023) < 200


def test_records_that_must_not_count_exist_and_are_left_out():
    by_status = dict(Retrofit.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status["rejected"] == 10
    assert by_status["withdrawn"] == 8
    assert sum(by_status[s] for s in Retrofit.OPEN) == 16
    assert get("home_retrofits").compute(2022) == 12
    assert get("ramp_passages").compute(2022) == 8
    assert tuple(counted(2024, [get("ramp_passages")])["ramp_passages"].breakdowns["street"]) == ("310106014",)
    assert SignLanguagePoint.objects.count() == 39
    assert DeviceIssue.objects.filter(issued_on__year=2022).count() == 20
    assert DeviceIssue.objects.filter(issued_on__year=2023, device_type="hearing_aid").count() == 12


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
    assert wristbands.filter(person__category=5).count() == 249  # the sentence: people with an intellectual disability
    steps = Retrofit.objects.annotate(n=Count("status_changes")).filter(
        Q(status="followed_up", n=6) | Q(status="accepted", n=5) | Q(status="applied", n=1)
    )
    assert (
        steps.filter(status__in=["accepted", "followed_up"]).count()
        == Retrofit.objects.filter(status__in=Retrofit.DONE).count()
    )


def test_the_demo_directory_of_accessible_places_is_useful_in_every_street():
    places = public_place_list()
    kinds = Counter(place.kind for place in places)
    # 36 points in service at the end of 2023 and two opened in 2024; the pilot closed in 2023 is left out.
    assert kinds[PlaceKind.SIGN_LANGUAGE_POINT] == 38
    assert kinds[PlaceKind.RAMP] == 40  # one passage of each compound of the five streets
    assert kinds[PlaceKind.REHAB_HOME] >= 5
    assert {place.street_code for place in places} == set(Street.objects.values_list("code", flat=True))
    assert all(place.address and place.hours and place.access_notes for place in places)
