"""Each accessibility figure against records built and counted by hand, in a fixed number of queries.

The report's figures (retrofits, ramps, sign-language points) are read through the figure registry,
their only definition; the statistics richer than a figure through `accessibility.stats`.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accessibility import stats
from accessibility.models import DeviceIssue, Retrofit
from reports.figures import counted, get
from reports.tally import Counted
from services.models import Street
from services.registry.scoping import street_ids_for
from tests.services.factories import PersonFactory

from .factories import DeviceIssueFactory, RampRetrofitFactory, SignLanguagePointFactory, make_retrofit

pytestmark = pytest.mark.django_db

Status = Retrofit.Status
D = datetime.date


def street(code: str) -> Street:
    return Street.objects.get(code=code)


def streets_of(user) -> QuerySet[Street]:
    """The streets a committee member is assigned to: those a figure is counted on for them."""
    return Street.objects.filter(pk__in=street_ids_for(user))


def home_retrofits(year: int) -> Counted:
    return counted(year, [get("home_retrofits")])["home_retrofits"]


def accepted(
    on: D, *, applied: D, type: str = "standard", street_code: str = "310106006", followed_up: D | None = None
):
    """A case applied on `applied`, accepted on `on`, optionally followed up; intermediate steps in between."""
    person = PersonFactory(street=street(street_code))
    dates = {
        Status.APPLIED: applied,
        Status.ASSESSED: applied,
        Status.APPROVED: applied,
        Status.IN_WORKS: applied,
        Status.ACCEPTED: on,
    }
    if followed_up:
        dates[Status.FOLLOWED_UP] = followed_up
    return make_retrofit(Status.FOLLOWED_UP if followed_up else Status.ACCEPTED, person=person, type=type, dates=dates)


@pytest.fixture
def cases_2023():
    """Accepted in 2023: 3 standard (2 in 江宁路, 1 in 大宁路) and 2 basic (芷江西路); days 30, 40, 70, 100, 10."""
    accepted(D(2023, 2, 10), applied=D(2023, 1, 11))  # 30 days
    accepted(D(2023, 3, 1), applied=D(2023, 1, 20), followed_up=D(2023, 6, 5))  # 40 days, checked in 2023
    accepted(D(2023, 12, 31), applied=D(2023, 10, 22), street_code="310106019", followed_up=D(2024, 4, 1))  # 70
    accepted(D(2023, 1, 1), applied=D(2022, 9, 23), type="basic", street_code="310106022")  # 100, applied 2022
    accepted(D(2023, 6, 30), applied=D(2023, 6, 20), type="basic", street_code="310106022")  # 10
    # Must not count: accepted in other years, rejected, withdrawn, still open.
    accepted(D(2022, 12, 31), applied=D(2022, 11, 1), followed_up=D(2023, 4, 1))  # its check counts in 2023
    accepted(D(2024, 1, 1), applied=D(2023, 12, 1))
    make_retrofit(Status.REJECTED, dates={Status.APPLIED: D(2023, 3, 1), "closed": D(2023, 3, 5)})
    make_retrofit(Status.WITHDRAWN, dates={Status.APPLIED: D(2023, 3, 1), "closed": D(2023, 3, 5)})
    for status in Retrofit.OPEN:
        make_retrofit(status)


def test_home_retrofits_of_a_year_by_type_and_street(cases_2023, django_assert_num_queries):
    with django_assert_num_queries(1):
        retrofits = home_retrofits(2023)
    assert retrofits.value == 5
    assert retrofits.breakdowns["type"] == {"standard": 3, "basic": 2}
    assert retrofits.breakdowns["street"] == {"310106006": 2, "310106019": 1, "310106022": 2}


def test_other_years_count_in_their_own_year(cases_2023):
    assert home_retrofits(2022).value == 1
    assert home_retrofits(2024).breakdowns["type"] == {"standard": 1}  # no basic case: left out, not 0
    assert home_retrofits(2021).value == 0


def test_median_days_from_application_to_acceptance_of_an_odd_count(cases_2023):
    assert stats.median_days_to_acceptance(2023) == 40  # 10, 30, 40, 70, 100


def test_median_days_of_an_even_count_is_the_mean_of_the_middle_two(cases_2023):
    accepted(D(2023, 9, 1), applied=D(2023, 7, 23))  # 40 more days: 10, 30, 40, 40, 70, 100
    accepted(D(2023, 9, 2), applied=D(2023, 7, 4))  # 60: 10, 30, 40, 40, 60, 70, 100 → 40
    accepted(D(2023, 9, 3), applied=D(2023, 6, 25))  # 70: ..., 40, 60, ... → (40 + 60) / 2
    assert stats.median_days_to_acceptance(2023) == 50


def test_median_of_a_year_without_acceptances_is_none(cases_2023):
    assert stats.median_days_to_acceptance(2020) is None


def test_median_is_computed_in_a_fixed_number_of_queries(cases_2023, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        stats.median_days_to_acceptance(2023)


def test_follow_ups_done_in_a_year(cases_2023, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert stats.follow_ups_done_in(2023) == 2  # one of a 2023 case, one of a 2022 case
    assert stats.follow_ups_done_in(2024) == 1


def test_ramp_passages_and_the_streets_they_cover(django_assert_num_queries):
    for code, count in (("310106022", 3), ("310106019", 2)):
        for _ in range(count):
            RampRetrofitFactory(street=street(code), completed_on=D(2023, 7, 1))
    RampRetrofitFactory(street=street("310106022"), completed_on=D(2023, 12, 31))
    RampRetrofitFactory(street=street("310106017"), completed_on=D(2022, 12, 31))
    RampRetrofitFactory(street=street("310106014"), completed_on=D(2024, 1, 1))
    ramps = [get("ramp_passages"), get("ramp_streets")]
    with django_assert_num_queries(1):
        figures = counted(2023, ramps)
    assert (figures["ramp_passages"].value, figures["ramp_streets"].value) == (6, 2)
    assert figures["ramp_passages"].breakdowns["street"] == {"310106019": 2, "310106022": 4}
    figures = counted(2022, ramps)
    assert (figures["ramp_passages"].value, figures["ramp_streets"].value) == (1, 1)
    assert figures["ramp_passages"].breakdowns["street"] == {"310106017": 1}
    with django_assert_num_queries(1):
        assert get("ramp_streets").compute(2023) == 2


def test_sign_language_points_in_service_on_the_last_day_of_the_year(django_assert_num_queries):
    SignLanguagePointFactory(in_service_from=D(2022, 1, 1))  # open-ended: counts
    SignLanguagePointFactory(in_service_from=D(2023, 12, 31))  # opened on the last day: counts
    SignLanguagePointFactory(in_service_from=D(2023, 1, 1), in_service_to=D(2023, 12, 31))  # served that day: counts
    SignLanguagePointFactory(in_service_from=D(2023, 1, 1), in_service_to=D(2023, 12, 30))  # closed before
    SignLanguagePointFactory(in_service_from=D(2024, 1, 1))  # opened after
    points = get("sign_language_points")
    with django_assert_num_queries(1):
        assert points.compute(2023) == 3
    assert points.compute(2022) == 1
    assert points.compute(2024) == 3


def test_devices_issued_in_a_year_by_type():
    for _ in range(3):
        DeviceIssueFactory(issued_on=D(2023, 5, 1))
    DeviceIssueFactory(issued_on=D(2023, 1, 1), returned_on=D(2023, 2, 1))  # returned, still issued in 2023
    DeviceIssueFactory(device_type="hearing_aid", issued_on=D(2023, 12, 31))
    DeviceIssueFactory(issued_on=D(2022, 12, 31))
    wristbands = get("smart_wristbands")
    assert wristbands.compute(2023) == 4
    assert DeviceIssue.objects.filter(issued_on__year=2023).exclude(device_type="smart_wristband").count() == 1
    assert DeviceIssue.objects.get(issued_on__year=2023, device_type="hearing_aid")
    assert wristbands.compute(2022) == DeviceIssue.objects.filter(issued_on__year=2022).count() == 1


def test_figures_for_a_member_count_only_their_streets(cases_2023, member, other_member, django_assert_num_queries):
    """member works in 江宁路 (310106006); other_member in 大宁路 (310106019)."""
    assert list(streets_of(member).values_list("code", flat=True)) == ["310106006"]
    retrofits, ramps, points = get("home_retrofits"), get("ramp_passages"), get("sign_language_points")
    with django_assert_num_queries(1):  # the member's streets are a subquery
        assert retrofits.compute(2023, streets_of(member)) == 2
    assert retrofits.compute(2023, streets_of(other_member)) == 1
    assert stats.median_days_to_acceptance(2023, user=member) == 35
    RampRetrofitFactory(street=street("310106019"), completed_on=D(2023, 7, 1))
    assert ramps.compute(2023, streets_of(member)) == 0
    assert ramps.compute(2023, streets_of(other_member)) == 1
    SignLanguagePointFactory(street=street("310106006"))
    assert points.compute(2023, streets_of(member)) == 1
    assert points.compute(2023, streets_of(other_member)) == 0


def test_figures_count_nothing_for_someone_without_streets(cases_2023, volunteer):
    """No streets is no records, never the whole district (which is what streets=None means)."""
    RampRetrofitFactory(completed_on=D(2023, 7, 1))
    for user in (volunteer, AnonymousUser()):
        assert get("home_retrofits").compute(2023, streets_of(user)) == 0
        assert get("ramp_passages").compute(2023, streets_of(user)) == 0
