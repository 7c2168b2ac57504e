"""Issue #20's pages in Chromium: a drill-down with its filter (and a refused search), the person record's
timeline with its links, and the import's linked error; axe-clean, the filter usable by keyboard."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.accessibility.factories import DeviceIssueFactory
from tests.browser.conftest import WCAG_TAGS, assert_no_axe_violations
from tests.services.factories import PersonFactory, file_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_drilldown_and_a_timeline_are_axe_clean_and_the_filter_works_by_keyboard(
    logged_in, staff_user, member, street
):
    person = PersonFactory(street=street, category=5, name="林键盘")
    DeviceIssueFactory(person=person, issued_on=datetime.date(2023, 4, 1))
    DeviceIssueFactory(
        person=PersonFactory(street=street, category=5, name="王其他"), issued_on=datetime.date(2023, 5, 1)
    )
    file_visit(person, by=member, needs=["escort"])
    url = reverse("reports:records", kwargs={"year": 2023, "key": "smart_wristbands"})
    page = logged_in(staff_user, url, width=1280)
    assert_no_axe_violations(page)
    page.get_by_label("按姓名或名称搜索").focus()
    page.keyboard.type("林")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody tr a").first.inner_text() == "林键盘"
    assert_no_axe_violations(page)

    refused = logged_in(staff_user, url + "?q=" + person.id_number, width=1280)
    assert refused.locator('[aria-invalid="true"]').count() == 1
    assert_no_axe_violations(refused)

    record = logged_in(staff_user, reverse("admin:services_person_record", args=[person.pk]), width=1280)
    assert record.locator(".timeline a").count() >= 2  # the visit and the wristband
    assert " 00:00" not in record.locator(".timeline").inner_text()
    # The page's own content: the admin's breadcrumbs (Django's, on every admin page) are not this issue's.
    results = Axe().run(record, context="#content-main", options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
