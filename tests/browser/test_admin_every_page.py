"""Every admin page, generated from the admin's registry, in Chromium at 1280 px as a superuser: axe-core
clean (WCAG 2.x A/AA, no rule turned off).

For each registered model: its changelist, its add page where adding is allowed, and the change page of
one record in each status the model has (a case's page shows other parts at other steps), over a year
of records. A model registered later is checked the day it is added. The pages staff use most are
checked in both languages by test_admin_pages.py; this walk is in Chinese, the staff's language.
"""

import contextlib

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse

from reports.actions import annual_report_compute, annual_report_request, annual_report_start
from tests.browser.conftest import assert_no_axe_violations
from tests.reports.conftest import build_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def records_to_open(model) -> list:
    """One record of each status the model's records are in, or its first record when it has no status."""
    rows = model._default_manager.order_by("pk")
    try:
        field = model._meta.get_field("status")
    except FieldDoesNotExist:
        field = None
    if field is None or not field.choices:
        first = rows.first()
        return [first] if first is not None else []
    return [row for value, _label in field.choices if (row := rows.filter(status=value).first()) is not None]


def admin_paths() -> list[str]:
    paths = []
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        with contextlib.suppress(NoReverseMatch):
            paths.append(reverse("admin:{}_{}_add".format(*info)))
        paths += [reverse("admin:{}_{}_change".format(*info), args=[row.pk]) for row in records_to_open(model)]
    return paths


def test_every_admin_page_has_no_wcag_violations(logged_in, django_user_model, street, other_street):
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-only")
    build_year(street, other_street)
    report, _started = annual_report_request(year=2023, dispatch=False)
    annual_report_compute(report=annual_report_start(report_id=report.pk, task_id=report.task_id))
    failures, checked = {}, 0
    for path in admin_paths():
        try:
            page = logged_in(root, path, language="zh-hans", width=1280)
        except AssertionError as error:
            if ": 403" in str(error):  # a read-only record or log: no add page, which is the point
                continue
            raise
        checked += 1
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:
            failures[path] = str(error)
        page.context.close()
    assert checked >= 100, checked  # the walk reached the registry, not a handful of pages
    assert failures == {}, "\n\n".join(f"{path}\n{report}" for path, report in failures.items())
