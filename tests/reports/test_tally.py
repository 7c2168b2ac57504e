"""The one statement that counts every figure with its breakdowns, against the ORM grouping each on its own."""

import dataclasses
import datetime

import pytest
from django.db.models import Count, Sum

from accessibility.models import Retrofit
from events.models import Event
from reports import figures
from reports.tally import Tally, compiled, count_all, many_valued, statement
from services.models import EscortBooking
from tests.employment.factories import PlacementFactory

pytestmark = pytest.mark.django_db


def grouped_alone(tally: Tally, lookup: str, year: int) -> dict[str, int]:
    """One breakdown counted by its own ORM query, as the figures were before reports.tally."""
    n = Sum(tally.total) if tally.total else Count(tally.count, distinct=True)
    rows = tally.records(year).order_by().values(lookup).annotate(n=n).values_list(lookup, "n")
    return {str(key): count for key, count in rows if key is not None and count}


@pytest.mark.parametrize("year", [2023, 2022])
def test_every_value_and_breakdown_is_what_its_own_query_counts(year_2023, year):
    counted = figures.counted(year)
    assert {key: c.value for key, c in counted.items()} == {f.key: f.compute(year) for f in figures.FIGURES}
    for figure in figures.FIGURES:
        expected = {name: grouped_alone(figure.tally, lookup, year) for name, lookup in figure.tally.by.items()}
        assert counted[figure.key].breakdowns == expected, figure.key
    if year == 2023:  # not a test of empty dicts: the fixture's year fills most breakdowns
        filled = [name for c in counted.values() for name, b in c.breakdowns.items() if b]
        assert len(filled) >= 15, filled


def test_a_many_valued_key_gets_a_select_of_its_own():
    assert many_valued(EscortBooking, "services__code")
    assert not many_valued(EscortBooking, "slot__hospital__name_zh")
    assert not many_valued(EscortBooking, "person__category")
    assert not many_valued(Retrofit, "type")


def test_a_many_valued_key_must_start_at_a_many_to_many_field_of_the_records():
    attendance = Tally(lambda year: Event.objects.all(), by={"attendance": "registrations__attendance"}, street=None)
    with pytest.raises(ValueError, match="many-to-many field of Event: registrations__attendance"):
        statement({"attendance": attendance}, 2023)


def test_nothing_to_count_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_all({}, 2023) == {}


def test_a_year_without_records_counts_zero_with_empty_breakdowns(django_assert_num_queries):
    with django_assert_num_queries(1):
        counted = figures.counted(1999)
    assert {c.value for c in counted.values()} == {0}
    assert counted["escort_person_visits"].breakdowns == {"hospital": {}, "service": {}, "street": {}, "category": {}}


def test_two_breakdowns_of_the_same_key_are_refused_where_the_tally_is_defined():
    # GROUPING SETS ((c0), (c0)) on PostgreSQL labelled both sets with the first name: the second came back empty.
    with pytest.raises(ValueError, match="same key"):
        Tally(figures.ramps_completed, by={"street": "street__code", "street_again": "street__code"})


def test_no_breakdown_joins_the_registry():
    # Breakdowns read the street and category each record kept, so a join to the persons comes only
    # from a figure's own rule (the trainees' age), never from its breakdowns.
    for figure in figures.FIGURES:
        with_breakdowns, _params = statement({figure.key: figure.tally}, 2023)
        headline, _params = statement({figure.key: dataclasses.replace(figure.tally, by={})}, 2023)
        assert with_breakdowns.count('"services_person"') == headline.count('"services_person"'), figure.key


def test_the_statement_is_compiled_once_for_the_same_registry_and_year():
    registry = {figure.key: figure.tally for figure in figures.FIGURES}
    first = compiled(registry, 2023)
    sql, params = statement(registry, 2023)
    assert first == (sql, tuple(params))
    assert compiled(dict(registry), 2023) is first
    assert compiled(registry, 2022) is not first
    another = {**registry, "ramp_passages": Tally(figures.ramps_completed)}  # a figure defined anew: compiled anew
    assert compiled(another, 2023) is not first


def test_a_counting_rule_changed_in_the_settings_counts_at_once(settings):
    started = datetime.date(2023, 5, 8)
    PlacementFactory(started_on=started, ended_on=started + datetime.timedelta(days=30), end_reason="resigned")
    PlacementFactory(started_on=started, ended_on=started + datetime.timedelta(days=200), end_reason="resigned")
    assert figures.counted(2023)["placed"].value == 2
    settings.PLACEMENT_MIN_DAYS = 90
    assert figures.counted(2023)["placed"].value == 1


def test_a_rule_counting_up_to_today_is_compiled_again_the_next_day(settings, time_machine):
    settings.PLACEMENT_MIN_DAYS = 90
    PlacementFactory(started_on=datetime.date(2023, 5, 8))  # still running: counted once it has lasted 90 days
    time_machine.move_to("2023-08-05 12:00 +08:00")
    assert figures.counted(2023)["placed"].value == 0
    time_machine.move_to("2023-08-06 12:00 +08:00")
    assert figures.counted(2023)["placed"].value == 1
