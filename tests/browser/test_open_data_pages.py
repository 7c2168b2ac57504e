"""The open-data page and a frozen report's download links in Chromium: axe-clean in both languages, at phone and
desktop widths, in standard and large-text display; nothing scrolls sideways; the links give the files."""

import json

import pytest

from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
from services.models import Street
from tests.browser.conftest import assert_no_axe_violations, browser, open_page  # noqa: F401
from tests.conftest import make_user
from tests.reports.conftest import build_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def frozen():
    build_year(Street.objects.get(code="310106006"), Street.objects.get(code="310106019"))
    report, _started = annual_report_request(year=2023, dispatch=False)
    report = annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    staff = make_user("staff_open_data", "federation_staff", is_staff=True)
    return annual_report_freeze(report=report, by=staff)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_open_data_page_is_accessible_at_both_widths_and_displays(open_page, frozen, language):  # noqa: F811
    for width in (375, 1280):
        for display in ("standard", "large"):
            page = open_page("/open-data/", language=language, display=display, width=width)
            assert page.requests_elsewhere == []
            assert page.evaluate(SIDEWAYS) <= 0, (width, display)
            assert page.locator("h1").count() == 1
            assert_no_axe_violations(page)


def test_the_report_page_links_the_files_and_the_keyboard_reaches_them(open_page, frozen):  # noqa: F811
    page = open_page("/reports/2023/", language="en", width=375)
    assert_no_axe_violations(page)
    csv_link = page.get_by_role("link", name="Figures of 2023 as CSV")
    json_link = page.get_by_role("link", name="Figures of 2023 as JSON")
    for _tab in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Figures of 2023 as CSV":
            break
    else:
        raise AssertionError("the CSV link was never reached by Tab")
    csv_file = page.request.get(csv_link.evaluate("a => a.href"))
    assert csv_file.ok
    assert csv_file.body().startswith(b"\xef\xbb\xbf")
    document = json.loads(page.request.get(json_link.evaluate("a => a.href")).body())
    assert document["year"] == 2023
    assert document["figures"][0]["value"] == 3
