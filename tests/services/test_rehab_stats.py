"""The services figures of issue 12 against hand-built records, with the records that must not count."""

import datetime

import pytest

from reports import figures
from services.models import HomeVisit, Street
from tests.services.factories import PersonFactory, visit_written
from tests.services.rehab_factories import ContractFactory, RehabCentreFactory, SessionFactory

pytestmark = pytest.mark.django_db


def d(*parts: int) -> datetime.date:
    return datetime.date(*parts)


@pytest.fixture
def centres(street, other_street):
    """Certified at the end of 2023: two. Not: applied, accepted in 2024, revoked in 2023, never applied."""
    counted = [
        RehabCentreFactory(street=street, accepted_on=d(2023, 12, 31)),
        RehabCentreFactory(
            street=other_street, accepted_on=d(2021, 5, 1), certification="revoked", revoked_on=d(2024, 1, 2)
        ),
    ]
    RehabCentreFactory(street=street, certification="applied", accepted_on=None, applied_on=d(2023, 3, 1))
    RehabCentreFactory(street=street, accepted_on=d(2024, 1, 1))
    RehabCentreFactory(
        street=other_street, accepted_on=d(2021, 5, 1), certification="revoked", revoked_on=d(2023, 12, 31)
    )
    RehabCentreFactory(street=other_street, certification="none", accepted_on=None)
    return counted


def test_rehab_homes_are_the_centres_certified_on_31_december(centres, street, django_assert_num_queries):
    figure = figures.get("rehab_homes")
    with django_assert_num_queries(1):
        assert set(figure.drilldown(2023)) == set(centres)
    assert figure.drilldown(2023).filter(street=street).get() == centres[0]
    assert figure.compute(2023, Street.objects.filter(pk=street.pk)) == 1
    assert figure.compute(2022, None) == 2  # the two accepted in 2021, both revoked only later
    assert figure.compute(2024, None) == 2  # accepted 2023 and accepted 2024
    assert figure.compute(2023, None) == 2
    assert figures.counted(2023, [figure])[figure.key].breakdowns["street"] == {
        street.code: 1,
        centres[1].street.code: 1,
    }
    assert figure.drilldown(2023).count() == 2


@pytest.fixture
def sessions(street, other_street):
    """2023: three sessions for one person and one for another (of another street); 2022 and 2024 ones do not count."""
    a = ContractFactory(person=PersonFactory(street=street, category=4))
    b = ContractFactory(person=PersonFactory(street=other_street, category=5))
    late = ContractFactory(person=PersonFactory(street=street))
    for day, minutes in [(d(2023, 1, 1), 30), (d(2023, 6, 1), 45), (d(2023, 12, 31), 60)]:
        SessionFactory(contract=a, given_on=day, minutes=minutes)
    SessionFactory(contract=b, given_on=d(2023, 3, 3), minutes=90, kind="assessment")
    SessionFactory(contract=late, given_on=d(2022, 12, 31))
    SessionFactory(contract=late, given_on=d(2024, 1, 1))
    return a, b


def test_home_rehabilitation_counts_people_sessions_and_minutes_of_the_year(
    sessions, street, django_assert_num_queries
):
    people, given = figures.get("home_rehab_people"), figures.get("home_rehab_sessions")
    with django_assert_num_queries(1):
        assert sum(given.drilldown(2023).values_list("minutes", flat=True)) == 225
    assert (people.compute(2023, None), given.compute(2023, None)) == (2, 4)
    one_street = Street.objects.filter(pk=street.pk)
    assert (people.compute(2023, one_street), given.compute(2023, one_street)) == (1, 3)
    assert sum(given.drilldown(2023).filter(street=street).values_list("minutes", flat=True)) == 135
    assert (people.compute(2021, None), given.compute(2021, None)) == (0, 0)


def test_the_home_rehabilitation_figures_and_their_records(sessions, street, other_street):
    people, given = figures.get("home_rehab_people"), figures.get("home_rehab_sessions")
    assert (people.compute(2023, None), given.compute(2023, None)) == (2, 4)
    assert set(people.drilldown(2023)) == {sessions[0].person, sessions[1].person}
    assert given.drilldown(2023).count() == 4
    assert figures.counted(2023, [people])[people.key].breakdowns["street"] == {street.code: 1, other_street.code: 1}
    assert figures.counted(2023, [people])[people.key].breakdowns["category"] == {"4": 1, "5": 1}
    assert figures.counted(2023, [given])[given.key].breakdowns["session_kind"] == {"training": 3, "assessment": 1}


@pytest.fixture
def visits(street, member):
    """2023 campaign visits: two found needs (one found two), one found none. Not counted: a routine visit with a
    need, a 2022 campaign visit with a need."""

    def visit(purpose: str, on: datetime.date, needs: list[str]) -> HomeVisit:
        return visit_written(PersonFactory(street=street), member, on=on, needs=needs, purpose=purpose)

    counted = [
        visit("campaign", d(2023, 1, 1), ["retrofit", "rehabilitation"]),
        visit("campaign", d(2023, 12, 31), ["subsidy"]),
    ]
    visit("campaign", d(2023, 5, 5), [])
    visit("routine", d(2023, 5, 6), ["retrofit"])
    visit("campaign", d(2022, 12, 31), ["retrofit"])
    return counted


def test_campaign_visits_with_targeted_help_count_visits_that_found_a_need(
    visits, street, other_street, django_assert_num_queries
):
    figure = figures.get("campaign_visits_helped")
    with django_assert_num_queries(1):
        assert figure.drilldown(2023).count() == 2  # people, not needs: the first found two
    assert set(figure.drilldown(2023)) == {visit.person for visit in visits}
    assert figure.compute(2023, Street.objects.filter(pk=other_street.pk)) == 0
    assert figure.compute(2023, None) == 2
    assert figures.counted(2023, [figure])[figure.key].breakdowns["street"] == {street.code: 2}
    assert figure.compute(2022, None) == 1
