"""Each figure of the registry against a year of records counted by hand, including those that must not count."""

import re
import string
from pathlib import Path

import pytest
from django.db.models import QuerySet
from django.utils import translation

from reports import figures, selectors
from reports.stats import annual_figures, percent
from services.models import Street

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


def test_every_drilldown_lists_exactly_the_records_counted(year_2023):
    people = {"trained", "certified", "placed", "new_graduates", "new_graduates_placed"}
    for figure in figures.FIGURES:
        records = figure.drilldown(2023)
        assert isinstance(records, QuerySet), figure.key
        if figure.key in people:
            assert records.values("person").distinct().count() == year_2023[figure.key], figure.key
        elif figure.key == "ramp_streets":
            assert records.values("street").distinct().count() == year_2023[figure.key]
        elif figure.tally.total:  # a sum of the records' counts (quiz participants, vanguard person-times)
            assert sum(getattr(r, figure.tally.total) for r in records) == year_2023[figure.key], figure.key
        else:
            assert records.count() == year_2023[figure.key], figure.key


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
