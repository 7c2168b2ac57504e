"""Each figure of the registry against a year of records counted by hand, including those that must not count."""

import datetime
import importlib
import re
import string
import uuid
from pathlib import Path

import pytest
from django.db import connection, migrations
from django.db.models import QuerySet
from django.utils import translation

from events.models import Event, Registration
from reports import figures, selectors
from reports.stats import annual_figures, percent
from services.models import FollowUp, HomeRehabSession, HomeVisit, Person, Street
from services.registry.actions import person_save
from tests.events.factories import PersonRegistrationFactory
from tests.services.factories import PersonFactory
from tests.services.rehab_factories import ContractFactory, SessionFactory

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")


def in_both(text) -> tuple[str, str]:
    """A translatable text as the Chinese and the English catalogues render it."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def test_every_figure_counts_only_the_records_of_its_definition(year_2023):
    computed = {f.key: f.compute(2023, None) for f in figures.FIGURES}
    assert computed == year_2023


def listed(figure: figures.Figure, rows: QuerySet) -> int:
    """What a drill-down shows of its figure: how many rows, or for a figure that sums a field, its total."""
    return selectors.drilldown_total(figure, rows) if figure.tally.total else rows.count()


def test_every_drilldown_lists_as_many_rows_as_its_figure_counts(year_with_repeats, staff_user):
    # Records that outnumber their figure: a person trained or certified twice, 3 ramps in 2 streets, 2 quizzes.
    assert figures.get("certified").tally.records(2023).count() == 2
    assert figures.get("ramp_streets").tally.records(2023).count() == 3
    for figure in figures.FIGURES:
        rows = selectors.drilldown_records(figure, 2023, staff_user)
        assert listed(figure, rows) == figure.compute(2023) == year_with_repeats[figure.key], figure.key
        assert len(selectors.figure_rows(figure, rows)) == rows.count()  # every column reads from the rows listed


def test_breakdowns_add_up_to_the_figure(year_2023, street, other_street):
    result = annual_figures(2023)
    escort = result["escort_person_visits"]["breakdowns"]
    assert escort["street"] == {street.code: 2, other_street.code: 1}
    assert escort["hospital"] == {"华东医院": 2, "市北医院": 1}
    assert escort["category"] == {"1": 1, "2": 2}
    assert result["home_retrofits"]["breakdowns"]["type"] == {"basic": 1, "standard": 2}
    assert result["home_retrofits"]["breakdowns"]["street"] == {street.code: 2, other_street.code: 1}
    assert result["ramp_passages"]["breakdowns"]["street"] == {street.code: 2, other_street.code: 1}
    assert result["sign_language_points"]["breakdowns"]["street"] == {street.code: 1, other_street.code: 1}
    assert result["trained"]["breakdowns"]["street"] == {street.code: 2, other_street.code: 1}
    assert result["certified"]["breakdowns"]["level"] == {"4": 1}
    assert result["culture_events"]["breakdowns"]["event_category"] == {"culture": 1, "esports": 1}
    assert result["culture_participants"]["breakdowns"]["event_category"] == {"culture": 3, "esports": 2}
    for key, entry in result.items():
        for name, counts in entry["breakdowns"].items():
            if name in {"street", "type", "hospital", "event_category"} and key not in {"trained", "certified"}:
                assert sum(counts.values()) == entry["value"], (key, name)


def test_a_figure_counted_on_some_streets_counts_only_theirs(year_2023, street):
    only = Street.objects.filter(pk=street.pk)
    assert figures.get("escort_person_visits").compute(2023, only) == 2
    assert figures.get("home_retrofits").compute(2023, only) == 2
    assert figures.get("ramp_passages").compute(2023, only) == 2
    assert figures.get("placed").compute(2023, only) == 1
    with pytest.raises(ValueError, match="whole district"):
        figures.get("culture_events").compute(2023, only)


def test_other_years_count_nothing_but_the_points_still_in_service(year_2023):
    values = {key: entry["value"] for key, entry in annual_figures(2025).items()}
    assert values.pop("sign_language_points") == 3  # a stock on 31 December, not a flow
    assert set(values.values()) == {0}


def test_the_whole_year_takes_two_queries(year_2023, django_assert_num_queries):
    # The plans, then every figure with its breakdowns in one statement (53 queries before reports.tally).
    with django_assert_num_queries(2):
        annual_figures(2023)


def test_percent_rounds_half_up_as_the_article_does():
    assert percent(3138 - 2000, 2000) == 57
    assert percent(3138, 2000) == 157
    assert percent(1, 200) == 1  # 0.5 rounds up, not to even
    assert percent(5, 0) is None


def test_registry_keys_are_unique_and_every_figure_is_labelled_in_both_languages():
    assert len(figures.BY_KEY) == len(figures.FIGURES)
    for figure in figures.FIGURES:
        assert all((*in_both(figure.label), *in_both(figure.unit))), figure.key
        assert figure.columns, figure.key
        assert set(figure.tally.by) <= set(figures.BREAKDOWN_NAMES), figure.key


def test_every_breakdown_names_and_labels_its_keys_in_the_active_language(year_2023):
    assert set(figures.KEY_LABELS) == set(figures.BREAKDOWN_NAMES)
    with translation.override("en"):
        labels = figures.key_labels(figures.BREAKDOWN_NAMES)
        assert figures.breakdown_name("type") == "By retrofit type"
    assert labels["type"] == {"standard": "Standard type", "basic": "Basic type"}
    assert labels["hospital"]["华东医院"] != "华东医院"
    with translation.override("zh-hans"):
        assert figures.key_labels(["type"])["type"] == {"standard": "标准型", "basic": "基本型"}
    assert figures.key_labels(["no_such_breakdown"]) == {"no_such_breakdown": {}}


def test_each_sentence_reads_the_same_numbers_in_both_languages_and_names_only_real_ones():
    # The report fills a sentence from defaultdicts: a misspelt {f[key]} or {b[name][key]} would read 0, silently.
    fields = string.Formatter()
    for figure in figures.FIGURES:
        sentence_zh, sentence_en = in_both(figure.sentence)
        zh = {name for _text, name, _spec, _conv in fields.parse(sentence_zh) if name}
        en = {name for _text, name, _spec, _conv in fields.parse(sentence_en) if name}
        assert zh == en, figure.key
        for name in zh:
            if name.startswith("f["):
                assert name[2:-1] in figures.BY_KEY, (figure.key, name)
            elif name.startswith("b["):
                breakdown = name[2:].split("]")[0]
                assert breakdown in figure.tally.by, (figure.key, name)
            else:
                assert name in {"value", "unit", "plan", "above", "percent", "share", "vs_plan"}, (figure.key, name)
        assert ("share" in zh) == bool(figure.share_of), figure.key
        for column in figure.columns:
            assert all(in_both(column.label)), figure.key


def test_the_registry_texts_come_from_the_catalogues_in_chinese_and_english():
    """Labels, units, sentences, column headings and breakdown names are gettext strings with a Chinese
    translation in locale/zh_Hans; neither the registry nor the selectors hard-code Chinese."""
    texts = [name for name in figures.BREAKDOWN_NAMES.values()]
    for figure in figures.FIGURES:
        texts += [figure.label, figure.unit, *(c.label for c in figure.columns)]
        texts += [figure.sentence] if figure.sentence else []
    for text in texts:
        zh, en = in_both(text)
        assert CHINESE.search(zh), en
        assert not CHINESE.search(en), en
    for module in (figures, selectors):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not CHINESE.search(source), module.__name__


def served_year(street, other_street, staff_user) -> None:
    """The hand-counted year, with the records it lacks that are about a person: home rehabilitation
    sessions, a campaign visit that led to help and a registry person at a culture event."""
    contract = ContractFactory(person=PersonFactory(street=street, category=4))
    SessionFactory(contract=contract, given_on=datetime.date(2023, 6, 10))
    SessionFactory(contract=contract, given_on=datetime.date(2023, 9, 1), kind=HomeRehabSession.Kind.ASSESSMENT)
    visited = PersonFactory(street=other_street, category=5)
    visit = HomeVisit.objects.create(
        person=visited,
        **visited.as_served(),
        visited_on=datetime.date(2023, 5, 4),
        visitor=staff_user,
        purpose=HomeVisit.Purpose.CAMPAIGN,
        submission_key=uuid.uuid4(),
    )
    FollowUp.objects.create(visit=visit, person=visited, street=other_street, need="retrofit", due_on=visit.visited_on)
    event = Event.objects.filter(category=Event.Category.CULTURE, starts_at__year=2023, is_published=True).first()
    PersonRegistrationFactory(
        event=event, person=PersonFactory(street=street, category=3), attendance=Registration.Attendance.ATTENDED
    )


def reassess_and_move(person: Person, *, to: Street, by) -> None:
    """Reassess the person to another category and move them to `to`, through the registry's own write."""
    person.category = Person.Category.PHYSICAL if person.category == Person.Category.MULTIPLE else 7
    person.multiple_categories = "24" if person.category == Person.Category.MULTIPLE else ""
    person.certificate_number = f"{person.id_number}{person.category}{person.grade}"
    person.street = to
    person_save(person=person, by=by)


def test_a_person_reassessed_and_moved_after_the_service_leaves_every_figure_and_breakdown(
    year_2023, street, other_street, staff_user
):
    served_year(street, other_street, staff_user)
    before = figures.counted(2023)
    about_persons = [
        f for f in figures.FIGURES if any(field.name == "person" for field in f.tally.records(2023).model._meta.fields)
    ]
    for figure in about_persons:  # each can fail: it counts records whose person is about to change
        assert before[figure.key].value > 0, figure.key
        for name in ("street", "category"):
            if name in figure.tally.by:
                assert before[figure.key].breakdowns[name], (figure.key, name)
    elsewhere = Street.objects.exclude(pk__in=[street.pk, other_street.pk]).first()
    for person in Person.objects.all():
        reassess_and_move(person, to=elsewhere, by=staff_user)
    assert not Person.objects.exclude(street=elsewhere).exists()
    after = figures.counted(2023)
    assert {key: (before[key], after[key]) for key in before if after[key] != before[key]} == {}
    assert set(before) == {f.key for f in figures.FIGURES}
    assert len(about_persons) >= 11


def test_every_record_about_a_person_keeps_the_street_and_category_it_was_served_in():
    for figure in figures.FIGURES:
        model = figure.tally.records(2023).model
        names = {field.name for field in model._meta.fields}
        # A figure counted for the whole district only and broken down by neither (awards) needs neither.
        by_street_or_category = figure.tally.street is not None or {"street", "category"} & set(figure.tally.by)
        if "person" in names and by_street_or_category:
            assert {"street", "category"} <= names, model.__name__
            assert not model._meta.get_field("category").editable, model.__name__
            assert model._meta.get_field("category").choices == Person.Category.choices, model.__name__


AS_SERVED_MIGRATIONS = [
    "services.migrations.0011_asof_service_attributes",
    "accessibility.migrations.0002_asof_service_attributes",
    "employment.migrations.0002_asof_service_attributes",
    "events.migrations.0003_asof_service_attributes",
]


def test_the_migrations_fill_the_category_from_the_person_and_keep_the_street(
    needs_postgres, year_2023, street, other_street, staff_user
):
    # Each backfill of the migrations, run on records whose category is empty again (as when the
    # column was added) but one: a filled category, and every street, stay as they are.
    served_year(street, other_street, staff_user)
    backfills = [
        op
        for name in AS_SERVED_MIGRATIONS
        for op in importlib.import_module(name).Migration.operations
        if isinstance(op, migrations.RunSQL)
    ]
    assert len(backfills) == 18
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's pending checks, before altering tables
        cursor.execute("ALTER TABLE events_registration DROP CONSTRAINT registration_category_with_person")
        for op in backfills:
            table = re.match(r"UPDATE (\w+) SET", op.sql)[1]
            cursor.execute(f"SELECT id, street_id FROM {table} WHERE person_id IS NOT NULL ORDER BY id")
            rows = cursor.fetchall()
            assert rows, table
            kept = rows[0][0]
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN category DROP NOT NULL")
            cursor.execute(f"UPDATE {table} SET category = CASE WHEN id = %s THEN 6 END", [kept])
            cursor.execute(op.sql)
            cursor.execute(
                f"SELECT t.id, t.street_id, t.category, p.category FROM {table} t "
                "JOIN services_person p ON p.id = t.person_id ORDER BY t.id"
            )
            after = cursor.fetchall()
            assert [(pk, street_id) for pk, street_id, _c, _p in after] == rows, table
            assert all(c == (6 if pk == kept else p) for pk, _s, c, p in after), table
