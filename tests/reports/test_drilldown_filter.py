"""Drill-downs filter by street, search by name or title, and export what they list (issue #20).

Generated from the figure registry: every figure's drill-down, live and frozen, for each street its rows are in
and for a text read from its first row; the export of each holds the rows the page lists."""

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import figures
from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
from reports.selectors import drilldown_records
from services.models import AccessLog, Street

pytestmark = pytest.mark.django_db


def run():
    report, _started = annual_report_request(year=2023, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


def street_of(record: Any) -> str | None:
    """The street code of a drill-down row, read from the object (not through the filter under test)."""
    if isinstance(record, Street):
        return record.code
    street = getattr(record, "street", None)
    return street.code if street is not None else None


def read(record: Any, lookup: str) -> str:
    value = record
    for part in lookup.split("__"):
        value = getattr(value, part, None) if value is not None else None
    return str(value) if value is not None else ""


def matches(record: Any, term: str, fields: tuple[str, ...]) -> bool:
    return any(term.lower() in read(record, field).lower() for field in fields)


def exported_rows(response) -> list[tuple]:
    content = response.getvalue()  # read to its end, as a server sends it: its file is closed then
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_every_figure_lists_a_model_with_search_fields():
    for figure in figures.FIGURES:
        model = figure.drilldown(2023).model
        fields = figures.search_fields(model)
        assert fields, figure.key
        assert not any("id_number" in f or "certificate_number" in f for f in fields), figure.key


@pytest.mark.parametrize("key", [figure.key for figure in figures.FIGURES])
def test_every_drilldown_filters_by_street_searches_and_exports_what_it_lists(
    client, staff_user, year_with_repeats, key
):
    figure = figures.get(key)
    client.force_login(staff_user)
    official = annual_report_freeze(report=run(), by=staff_user)
    url = reverse("reports:records", kwargs={"year": 2023, "key": key})
    export = reverse("reports:records_export", kwargs={"year": 2023, "key": key})
    for report in (None, official):
        base = {"report": official.pk} if report else {}
        rows = list(drilldown_records(figure, 2023, staff_user, report))
        page = client.get(url, base)
        assert page.status_code == 200
        assert f'href="{export}' in page.content.decode()
        filters: list[tuple[dict, list]] = [({}, rows)]
        lookup = figures.street_lookup(type(rows[0])) if rows else None
        if lookup is not None:
            assert 'name="street"' in page.content.decode()
            for code in {street_of(r) for r in rows} - {None}:
                filters.append(({"street": code}, [r for r in rows if street_of(r) == code]))
        if rows:
            fields = figures.search_fields(type(rows[0]))
            text = next((read(rows[0], f) for f in fields if read(rows[0], f)), "")
            term = text[:2]
            if term:
                filters.append(({"q": term}, [r for r in rows if matches(r, term, fields)]))
        for asked, expected in filters:
            response = client.get(url, {**base, **asked})
            assert response.status_code == 200
            listed = response.context["page"].paginator.count
            assert listed == len(expected), (key, asked)
            assert {r.pk for r in response.context["page"].object_list} <= {r.pk for r in expected}
            download = client.get(export, {**base, **asked})
            assert download.status_code == 200, (key, asked)
            sheet = exported_rows(download)
            assert list(sheet[0]) == [str(c.label) for c in figure.columns]
            assert len(sheet) - 1 == len(expected), (key, asked)
    assert AccessLog.objects.filter(action="exported", user=staff_user).exists()
    # Each export's log says what was filtered, as the person export's says its query.
    assert AccessLog.objects.filter(action="exported", user=staff_user, detail__contains="; street=").exists()


def test_a_whole_id_number_is_not_searched_and_nothing_is_revealed(client, staff_user, year_2023):
    from services.models import Person

    person = Person.objects.filter(enrollments__isnull=False).first()
    client.force_login(staff_user)
    url = reverse("reports:records", kwargs={"year": 2023, "key": "trained"})
    everyone = client.get(url).context["page"].paginator.count
    response = client.get(url, {"q": person.id_number})
    assert response.status_code == 200
    assert "不在此处按身份证号或残疾证号搜索" in response.content.decode()
    assert response.context["page"].paginator.count == everyone  # the list unfiltered, no answer about the number
    assert not AccessLog.objects.filter(action="revealed").exists()
    export = client.get(
        reverse("reports:records_export", kwargs={"year": 2023, "key": "trained"}), {"q": person.id_number}
    )
    assert export.status_code == 302
    assert not AccessLog.objects.filter(action="exported").exists()


@pytest.mark.parametrize("junk", [{"street": "x"}, {"street": "999999999"}, {"q": "a" * 500}, {"page": "-1"}])
def test_bad_filters_answer_with_a_message_never_a_500(client, staff_user, year_2023, junk):
    client.force_login(staff_user)
    for name in ("reports:records", "reports:records_export"):
        response = client.get(reverse(name, kwargs={"year": 2023, "key": "escort_person_visits"}), junk)
        response.getvalue()
        assert response.status_code in (200, 302), (name, junk)
