"""The dashboard and the public report page in Chromium: no WCAG 2.x A/AA violations, no other hosts; the
charts' labels readable in large-text mode."""

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
    assert page.locator(".report-chart[role=img]").count() == page.locator("table.report-table").count() > 0
    assert_no_axe_violations(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_report_page_is_accessible(open_page, computed, language):  # noqa: F811
    page = open_page("/reports/2023/", language=language)
    assert page.requests_elsewhere == []
    assert_no_axe_violations(page)


# Every chart label: rendered at least at the page's own text size, whole (as in the table beside the
# chart, not cut with "…"), inside its chart and clear of the others. An SVG label's size is its font size
# times the drawing's scale.
CHART_LABEL_PROBLEMS = """() => {
    const out = [];
    const body = parseFloat(getComputedStyle(document.body).fontSize);
    for (const figure of document.querySelectorAll('.report-breakdown')) {
        const chart = figure.querySelector('.report-chart');
        const box = chart.getBoundingClientRect();
        const names = [...figure.querySelectorAll('table th[scope=row]')].map(th => th.textContent.trim());
        const labels = [...chart.querySelectorAll('.report-chart-label')].map(l => [l, l.getBoundingClientRect()]);
        labels.forEach(([label, r], i) => {
            const text = label.textContent.trim();
            const scale = label.getScreenCTM ? label.getScreenCTM().a : 1;
            const size = parseFloat(getComputedStyle(label).fontSize) * scale;
            if (size < body) out.push(`${text}: ${size.toFixed(1)} px, the page's text ${body} px`);
            if (text !== names[i]) out.push(`${text}: cut, the table says ${names[i]}`);
            if (r.left < box.left - 1 || r.right > box.right + 1) out.push(`${text}: outside its chart`);
            for (const [other, s] of labels.slice(i + 1)) {
                if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) {
                    out.push(`${text} overlaps ${other.textContent.trim()}`);
                }
            }
        });
    }
    return out;
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_the_charts_keep_readable_labels_in_large_text_mode(logged_in, computed, width):  # noqa: F811
    from tests.conftest import make_user

    staff = make_user("staff_browser", "federation_staff", is_staff=True)
    page = logged_in(staff, "/reports/dashboard/2023/", display="large", width=width)
    assert page.locator(".report-chart-label").count() > 0
    assert page.evaluate(CHART_LABEL_PROBLEMS) == []
    assert_no_axe_violations(page)
