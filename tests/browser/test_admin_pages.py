"""The admin pages staff use most, in Chromium at 1280 px as staff: axe-core clean (WCAG 2.x A/AA, no rule
turned off), in both languages.

The pages are generated from the admin's registry: the changelist, the change page and the add page of
each model below, plus the report dashboard. A model staff use that leaves the admin fails the test.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from accessibility.models import Retrofit
from employment.models import Placement
from events.models import Event
from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from services.models import EscortBooking, Person
from services.registry import roles
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import make_user
from tests.reports.conftest import build_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_USED = [Person, Retrofit, EscortBooking, Placement, Event]
DESKTOP = 1280


@pytest.fixture
def staff(db):
    return make_user("admin_staff", roles.STAFF, is_staff=True)


@pytest.fixture
def pages(street, other_street, staff) -> list[str]:
    build_year(street, other_street)
    report, _started = annual_report_request(year=2023, dispatch=False)
    annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    paths = []
    for model in MOST_USED:
        assert model in admin.site._registry, model
        info = model._meta.app_label, model._meta.model_name
        record = model.objects.order_by("pk").first()
        assert record is not None, model
        paths += [
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_change".format(*info), args=[record.pk]),
            reverse("admin:{}_{}_add".format(*info)),  # autocomplete fields are empty here
        ]
    return [*paths, reverse("reports:dashboard", kwargs={"year": 2023})]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_admin_pages_staff_use_most_have_no_wcag_violations(logged_in, staff, pages, language):
    failures = {}
    for path in pages:
        page = logged_in(staff, path, language=language, width=DESKTOP)
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:
            failures[path] = str(error)
        page.context.close()
    assert failures == {}, "\n\n".join(f"{path}\n{report}" for path, report in failures.items())


def test_the_event_form_date_and_time_inputs_are_labelled(logged_in, staff, pages):
    event = Event.objects.order_by("pk").first()
    page = logged_in(staff, reverse("admin:events_event_change", args=[event.pk]), language="en", width=DESKTOP)
    assert page.get_by_label("Starts Date:").get_attribute("id") == "id_starts_at_0"
    assert page.get_by_label("Starts Time:").get_attribute("id") == "id_starts_at_1"
    assert page.get_by_label("Ends Date:").get_attribute("id") == "id_ends_at_0"
    assert page.get_by_label("Ends Time:").get_attribute("id") == "id_ends_at_1"


def test_an_empty_autocomplete_field_is_named_after_its_label(logged_in, staff, pages):
    page = logged_in(staff, reverse("admin:services_escortbooking_add"), language="en", width=DESKTOP)
    assert page.get_by_role("combobox", name="Person").count() == 1
