"""Demo records of the reports app: the demo year's approved plan target and its computed report."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .actions import annual_report_compute, annual_report_request, annual_report_start
from .models import AnnualPlan

# The one plan the article states: the escort clinics, a district practical project (为民办实事项目),
# served 3138 person-visits, "超出计划量的57%" of 2000. The article names the programme, not the
# document's date: the demo dates it 1 January of the year. No other target is made up.
DEMO_PLANS = {"escort_person_visits": 2000}
DEMO_DOCUMENT = "静安区{year}年区政府为民办实事项目：助聋助盲门诊"


@transaction.atomic
def seed_plans(*, year: int) -> int:
    """Set the demo's approved targets for `year` (the same on every run); drop targets earlier demos made up."""
    AnnualPlan.objects.filter(year=year, note="demo plan").exclude(figure__in=DEMO_PLANS).delete()
    for figure, target in DEMO_PLANS.items():
        AnnualPlan.objects.update_or_create(
            year=year,
            figure=figure,
            defaults={
                "target": target,
                "document": DEMO_DOCUMENT.format(year=year),
                "document_date": datetime.date(year, 1, 1),
                "note": "",
                "status": AnnualPlan.Status.APPROVED,
                "approved_at": datetime.datetime(year, 1, 1, 9, tzinfo=timezone.get_default_timezone()),
            },
        )
    return len(DEMO_PLANS)


def seed(*, year: int, persons: int, stdout: Any) -> None:
    stdout.write(f"Annual plan {year}: {seed_plans(year=year)} approved targets.")
    report, started = annual_report_request(year=year, dispatch=False)
    if started:
        report = annual_report_start(report_id=report.pk, task_id=report.task_id)
        if report is not None:
            report = annual_report_compute(report=report)
            stdout.write(f"Annual report {year}: computed (#{report.pk}).")
