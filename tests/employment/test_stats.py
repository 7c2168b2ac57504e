"""Each report figure against records built by hand, counted in one query, by street and by category."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from employment import stats
from employment.models import Enrollment, PlacementFollowUp
from employment.validation import age_at
from reports.figures import counted, get
from reports.stats import percent
from services.models import Person
from services.registry.selectors import age_on
from tests.employment.factories import (
    CourseFactory,
    EnrollmentFactory,
    GraduateFactory,
    PlacementFactory,
    born_on,
    course,
    worker,
)

pytestmark = pytest.mark.django_db

PERSONS = Count("person", distinct=True)
COMPLETED, ENROLLED, DROPPED = Enrollment.Status.COMPLETED, Enrollment.Status.ENROLLED, Enrollment.Status.DROPPED_OUT


def assert_counted(key: str, assert_num_queries, *, persons: int, records: int, breakdowns: dict):
    """The report's figure `key` counts `persons` among its `records` of 2023, each read in one query: the
    records, the figure and its breakdowns (by street, category...). Returns the figure."""
    figure = get(key)
    with assert_num_queries(1):
        assert figure.tally.records(2023).aggregate(persons=PERSONS, records=Count("pk")) == {
            "persons": persons,
            "records": records,
        }
    with assert_num_queries(1):
        assert figure.compute(2023) == persons
    with assert_num_queries(1):
        assert breakdowns_of(key, 2023) == breakdowns
    return figure


def test_age_in_the_database_agrees_with_python_on_birthdays_and_leap_days(street):
    born = [datetime.date(2000, 2, 29), datetime.date(1963, 3, 6), datetime.date(1990, 12, 31)]
    days = [
        datetime.date(2016, 2, 28),
        datetime.date(2016, 2, 29),
        datetime.date(2023, 3, 5),
        datetime.date(2023, 3, 6),
    ]
    for birth in born:
        person = born_on(birth)
        for day in days:
            c = CourseFactory(starts_on=day, ends_on=day)
            EnrollmentFactory(person=person, course=c)
    rows = Enrollment.objects.annotate(age=age_at("person__birth_date", "course__starts_on")).values_list(
        "person__birth_date", "course__starts_on", "age"
    )
    assert len(rows) == 12
    for birth, day, age in rows:
        assert age == age_on(birth, day), (birth, day)


@pytest.fixture
def trained_records(street, other_street):
    spring, autumn = course("2023-03-06", "2023-04-28"), course("2023-09-04", "2023-10-27")
    a = worker(category=2)
    EnrollmentFactory(person=a, course=spring)
    EnrollmentFactory(person=a, course=autumn)  # a second course: still one person
    EnrollmentFactory(person=worker(category=2), course=course("2022-11-01", "2023-01-15"))  # ended in 2023
    EnrollmentFactory(person=born_on(datetime.date(1963, 3, 7), category=5), course=spring)  # 59 on the first day
    EnrollmentFactory(person=worker(category=4, street=other_street), course=spring)
    # None of these count for 2023:
    EnrollmentFactory(person=worker(), course=course("2022-10-01", "2022-12-20"))
    EnrollmentFactory(person=worker(), course=course("2023-12-01", "2024-01-10"))
    EnrollmentFactory(person=worker(), course=spring, status=ENROLLED)
    EnrollmentFactory(person=worker(), course=spring, status=DROPPED)
    EnrollmentFactory(person=born_on(datetime.date(1963, 3, 6)), course=spring)  # 60 on the first day
    EnrollmentFactory(person=born_on(datetime.date(2007, 3, 7)), course=spring)  # 15 on the first day


def test_trained_counts_working_age_persons_who_completed_a_course_that_ended_in_the_year(
    trained_records, street, other_street, django_assert_num_queries
):
    breakdowns = {"street": {street.code: 3, other_street.code: 1}, "category": {"2": 2, "4": 1, "5": 1}}
    trained = assert_counted("trained", django_assert_num_queries, persons=4, records=5, breakdowns=breakdowns)
    assert trained.compute(2023, [other_street]) == 1
    assert trained.compute(2022) == 1
    assert trained.compute(2024) == 1
    assert trained.compute(2023) == 4


CERT = {"certificate_issuer": "上海市职业技能鉴定中心"}


def certificate(person, level: str, issued: str, c=None):
    return EnrollmentFactory(
        person=person,
        course=c or course("2022-09-01", "2022-12-20"),
        certificate_level=level,
        certificate_issued_on=datetime.date.fromisoformat(issued),
        **CERT,
    )


def test_certified_counts_persons_with_a_certificate_dated_in_the_year(other_street, street, django_assert_num_queries):
    k = worker(category=1)
    certificate(k, "5", "2023-05-20", course("2023-03-06", "2023-04-28"))
    certificate(k, "4", "2023-09-01", course("2023-06-01", "2023-07-28"))
    # A course of 2022, dated 2023: counted, as the person was also trained in 2023 (among the year's trained).
    six = worker(category=6, street=other_street)
    certificate(six, "3", "2023-01-10")
    EnrollmentFactory(person=six, street=other_street, course=course("2023-05-08", "2023-06-30"))
    certificate(worker(), "5", "2023-02-10")  # course of 2022, dated 2023, not trained in 2023: not counted
    certificate(worker(), "5", "2024-01-05", course("2023-10-09", "2023-11-24"))
    certificate(worker(), "5", "2022-12-30")
    EnrollmentFactory(course=course("2023-03-06", "2023-04-28"))  # completed without a certificate
    # Every breakdown counts persons, as the figure does: the one with two certificates counts once.
    breakdowns = {
        "street": {street.code: 1, other_street.code: 1},
        "category": {"1": 1, "6": 1},
        "level": {"5": 1, "4": 1, "3": 1},
    }
    certified = assert_counted("certified", django_assert_num_queries, persons=2, records=3, breakdowns=breakdowns)
    assert certified.tally.records(2023).filter(street=street).count() == 2


def placement(person=None, started: str = "2023-05-08", **kwargs):
    return PlacementFactory(person=person or worker(), started_on=datetime.date.fromisoformat(started), **kwargs)


def test_placed_counts_persons_placed_on_recommendation_starting_in_the_year(
    street, other_street, django_assert_num_queries
):
    p1 = worker(category=4)
    placement(p1, "2023-05-08")
    placement(p1, "2023-09-01")  # a second job the same year: one person
    placement(worker(category=4), "2023-12-31")
    placement(worker(category=7, street=other_street), "2023-01-01")
    placement(worker(), "2023-06-01", recommended=False)
    placement(worker(), "2022-12-31")
    placement(worker(), "2024-01-01")
    breakdowns = {"street": {street.code: 2, other_street.code: 1}, "category": {"4": 2, "7": 1}}
    placed = assert_counted("placed", django_assert_num_queries, persons=3, records=4, breakdowns=breakdowns)
    assert placed.compute(2022) == 1
    assert placed.compute(2023, []) == 0


def test_new_graduates_and_the_share_placed(street, other_street, django_assert_num_queries):
    placed_one = GraduateFactory()
    placement(placed_one.person, "2023-07-10", new_graduate=True, graduation_year=2023)
    found_own = GraduateFactory()
    placement(found_own.person, "2023-08-01", new_graduate=True, graduation_year=2023, recommended=False)
    not_as_graduate = GraduateFactory()
    placement(not_as_graduate.person, "2023-08-01")  # a job, but not recorded as a new graduate's
    GraduateFactory(person=born_on(datetime.date(2001, 1, 1), street=other_street))  # still looking
    last_year = GraduateFactory(graduation_year=2022)
    placement(last_year.person, "2022-08-01", new_graduate=True, graduation_year=2022)
    with django_assert_num_queries(1):
        assert graduates(2023) == (4, 2, 50)
    assert graduates(2022) == (1, 1, 100)
    assert graduates(2025) == (0, 0, None)
    assert breakdowns_of("new_graduates", 2023) == {"street": {street.code: 3, other_street.code: 1}}
    assert breakdowns_of("new_graduates_placed", 2023) == {"street": {street.code: 2}}


def graduates(year: int) -> tuple[int, int, int | None]:
    """New graduates of `year`, those placed and the share placed (per cent), as the report counts them."""
    values = counted(year, [get("new_graduates"), get("new_graduates_placed")])
    whole, placed = values["new_graduates"].value, values["new_graduates_placed"].value
    return whole, placed, percent(placed, whole)


def follow(p, months: int, employed: bool | None):
    recorded = None if employed is None else p.started_on + datetime.timedelta(days=31 * months)
    PlacementFollowUp.objects.create(
        placement=p,
        months=months,
        due_on=p.started_on + datetime.timedelta(days=30 * months),
        recorded_on=recorded,
        still_employed=employed,
    )


def test_retention_at_six_and_twelve_months(street, other_street, django_assert_num_queries):
    r1, r2, r3, r4 = (placement() for _ in range(4))
    for p, six, twelve in [(r1, True, True), (r2, True, False), (r3, False, None), (r4, None, None)]:
        follow(p, 6, six)
        follow(p, 12, twelve)
        follow(p, 1, True)
    follow(placement(recommended=False), 6, True)
    follow(placement(started="2022-05-01"), 6, True)
    with django_assert_num_queries(1):
        result = stats.retention(2023)
    assert result == stats.Retention(year=2023, placements=4, checked_6=3, employed_6=2, checked_12=2, employed_12=1)
    assert (result.rate_6, result.rate_12) == (Decimal("66.7"), Decimal("50.0"))
    assert stats.retention_follow_ups(2023, 6).count() == 3
    assert stats.retention_by_street(2023)[street.code] == result
    assert stats.retention_by_category(2023)[2].employed_6 == 2
    nobody = stats.retention(2030)
    assert (nobody.placements, nobody.rate_6, nobody.rate_12) == (0, None, None)


def test_breakdowns_use_the_street_of_the_time_not_the_current_one(street, other_street):
    person = worker()
    EnrollmentFactory(person=person, course=course("2023-03-06", "2023-04-28"))
    Person.objects.filter(pk=person.pk).update(street=other_street)  # moved after the course
    assert breakdowns_of("trained", 2023)["street"] == {street.code: 1}


def breakdowns_of(key: str, year: int) -> dict[str, dict[str, int]]:
    """The breakdowns of the report's figure `key`, as the report job counts them."""
    return counted(year, [get(key)])[key].breakdowns
