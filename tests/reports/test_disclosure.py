"""Public breakdowns: small counts hidden, and enough others that none can be worked out from the figure."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from reports.disclosure import suppress
from reports.models import AnnualReport
from reports.selectors import public_figures
from tests.reports.conftest import check_public_rows, check_published

pytestmark = pytest.mark.django_db


def run(year: int = 2023) -> AnnualReport:
    report, _started = annual_report_request(year=year, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


def test_one_small_count_hides_the_next_smallest_too():
    # The article's trained by category: speech 1 would be 204 minus the others.
    counts = {"1": 40, "2": 60, "3": 1, "4": 50, "5": 30, "6": 23}
    assert suppress(counts) == {**counts, "3": None, "6": None}
    check_published(counts, suppress(counts), 204)


def test_hidden_counts_that_could_only_be_ones_hide_more_or_the_breakdown():
    assert suppress({"a": 1, "b": 1, "c": 30}) == {"a": None, "b": None, "c": None}
    assert suppress({"a": 1, "b": 1}) == {}  # both hidden, both 1: not published
    assert suppress({"a": 3}) == {}  # the only count is the figure
    assert suppress({"a": 7, "b": 9}) == {"a": 7, "b": 9}


@given(st.dictionaries(st.text("abcdefghijklmn", min_size=1, max_size=2), st.integers(1, 40), max_size=14))
def test_no_hidden_count_can_be_worked_out_from_any_breakdown(counts):
    check_published(counts, suppress(counts), sum(counts.values()))


@pytest.mark.parametrize("fixture", ["year_2023", "year_with_repeats"])
def test_no_count_hidden_on_the_public_page_can_be_worked_out(client, request, fixture):
    request.getfixturevalue(fixture)
    report = run()
    response = client.get(reverse("reports:public", kwargs={"year": 2023}))
    assert response.status_code == 200
    hiding = check_public_rows(response.context["rows"], report)
    assert hiding >= 5  # the small year hides counts in many breakdowns: not a test of empty charts
    assert "不公开" in response.content.decode()
    # The page shows what public_figures publishes, and only that.
    shown = {
        (row.figure.key, view.name): {bar.key: bar.value for bar in view.bars}
        for row in response.context["rows"]
        for view in row.breakdowns
    }
    published = {
        (key, name): cells
        for key, entry in public_figures(report).items()
        for name, cells in entry["breakdowns"].items()
        if cells
    }
    assert shown == published


def test_a_withheld_breakdown_reads_hidden_in_a_public_sentence_never_zero():
    """3 retrofits, all standard: the type breakdown cannot be shown safely, and the sentence must not say 0."""
    from django.utils import translation

    from reports.figures import get
    from reports.selectors import _sentence, hidden_mark

    entry = {"value": 3, "plan": None, "percent_of_plan": None, "above_plan": None}
    report = AnnualReport(year=2023, figures={"home_retrofits": {**entry, "breakdowns": {"type": {"standard": 3}}}})
    with translation.override("en"):
        public = _sentence(get("home_retrofits"), public_figures(report))
        assert public == f"3 home retrofits completed: {hidden_mark()} standard and {hidden_mark()} basic"
        assert _sentence(get("home_retrofits"), report.figures) == "3 home retrofits completed: 3 standard and 0 basic"
