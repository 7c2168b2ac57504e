"""Drill-downs link each row to its record (issue #20), only where the viewer may open that record's admin page."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from core.admin_links import admin_url
from reports.actions import annual_report_compute, annual_report_freeze, annual_report_request, annual_report_start
from reports.figures import FIGURES

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<td><a href="([^"]+)">')


def run():
    report, _started = annual_report_request(year=2023, dispatch=False)
    return annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))


@pytest.mark.parametrize("key", [figure.key for figure in FIGURES])
def test_every_drilldown_row_links_to_its_record_where_the_viewer_may_open_it(
    year_with_repeats, staff_user, auditor, key
):
    """Generated from the figure registry, live and frozen, for staff and auditors: a row's link opens its record
    (200); a row without one is a record whose admin page would refuse that viewer."""
    url = reverse("reports:records", kwargs={"year": 2023, "key": key})
    official = annual_report_freeze(report=run(), by=staff_user)
    for user in (staff_user, auditor):
        client = Client()
        client.force_login(user)
        for query in ("", f"?report={official.pk}"):
            response = client.get(url + query)
            page = response.content.decode()
            records = list(response.context["page"].object_list)
            rows = response.context["rows"]
            assert len(rows) == len(records) == len(response.context["table"])
            for record, (link, _cells) in zip(records, rows, strict=True):
                target = admin_url(admin.site._registry[type(record)], record.pk)
                if link:
                    assert link == target
                    assert client.get(link).status_code == 200, (user.username, key, link)
                else:
                    assert client.get(target).status_code in (403, 404), (user.username, key, target)
            assert sorted(LINK.findall(page)) == sorted(link for link, _cells in rows if link)
    if year_with_repeats[key]:
        client = Client()
        client.force_login(staff_user)
        rows = client.get(url).context["rows"]
        assert rows
        assert all(link for link, _cells in rows), key  # staff open every kind of record counted


def test_a_person_row_links_to_the_full_record_and_a_street_scoped_viewer_gets_no_link_outside_it(
    year_2023, staff_user, street
):
    from django.contrib.auth.models import Permission

    from services.registry import roles
    from tests.conftest import make_user

    client = Client()
    client.force_login(staff_user)
    rows = client.get(reverse("reports:records", kwargs={"year": 2023, "key": "trained"})).context["rows"]
    assert all(link.startswith("/admin/services/person/") and link.endswith("/record/") for link, _cells in rows)

    # A staff member of one street with the drill-down permission: persons of other streets are not listed to
    # them at all (the drill-down is scoped), and no link leads outside what they may see.
    scoped = make_user("scoped", roles.COMMITTEE_MEMBER, is_staff=True, streets=(street,))
    scoped.user_permissions.add(
        Permission.objects.get(codename="view_figure_records"), Permission.objects.get(codename="view_annualreport")
    )
    client.force_login(scoped)
    response = client.get(reverse("reports:records", kwargs={"year": 2023, "key": "escort_person_visits"}))
    assert response.status_code == 200
    for record, (link, _cells) in zip(response.context["page"].object_list, response.context["rows"], strict=True):
        assert record.street == street
        if link:
            assert client.get(link).status_code == 200
