"""The dashboard and the public report page in Chromium: no WCAG 2.x A/AA violations, no other hosts."""

import pytest

from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from services.models import Street
from tests.browser.conftest import assert_no_axe_violations, browser, logged_in, open_page  # noqa: F401
from tests.reports.conftest import build_year
from tests.reports.factories import AnnualPlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def computed():
    build_year(Street.objects.get(code="310106006"), Street.objects.get(code="310106019"))
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    report, _started = annual_report_request(year=2023, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


@pytest.mark.parametrize("display", ["standard", "large"])
def test_the_dashboard_is_accessible(logged_in, computed, display):  # noqa: F811 (the browser fixtures)
    from tests.conftest import make_user

    staff = make_user("staff_browser", "federation_staff", is_staff=True)
    page = logged_in(staff, "/reports/dashboard/2023/", display=display, width=1280)
    assert page.locator("svg[role=img]").count() == page.locator("table.report-table").count() > 0
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_report_page_is_accessible(open_page, computed, language):  # noqa: F811
    page = open_page("/reports/2023/", language=language)
    assert page.requests_elsewhere == []
    assert_no_axe_violations(page)
