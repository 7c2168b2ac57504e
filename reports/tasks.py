"""Celery tasks of the reports app: the annual report job and its schedules."""

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .actions import (
    annual_report_compute,
    annual_report_fail,
    annual_report_request,
    annual_report_requeue_dead,
    annual_report_start,
)

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 5


@shared_task(
    name="reports.compute_annual_report",
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=MAX_RETRIES,
)
def compute_annual_report(self, report_id: int) -> dict[str, Any] | None:
    """Compute and store every figure of the report `report_id`; does nothing if another task runs it."""
    task_id = self.request.id or ""
    report = annual_report_start(report_id=report_id, task_id=task_id, retry=bool(self.request.retries))
    if report is None:
        return None
    try:
        report = annual_report_compute(report=report)
    except TRANSIENT:
        if self.request.retries >= MAX_RETRIES:
            annual_report_fail(report_id=report_id, task_id=task_id, error="database unavailable")
        raise
    except Exception as exc:
        annual_report_fail(report_id=report_id, task_id=task_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return {"report": report.pk, "year": report.year, "status": report.status}


@shared_task(name="reports.recompute_current_year")
def recompute_current_year() -> int:
    """Queue the current year's report (a run already under way is left alone)."""
    report, _started = annual_report_request(year=timezone.localdate().year)
    return report.pk


@shared_task(name="reports.compute_previous_year")
def compute_previous_year() -> int:
    """Queue the previous year's final report (staff freeze it once checked)."""
    report, _started = annual_report_request(year=timezone.localdate().year - 1)
    return report.pk


@shared_task(name="reports.requeue_dead_runs")
def requeue_dead_runs() -> list[int]:
    """Queue again the report runs whose worker died mid-run (their lease ran out); returns their ids."""
    return [report.pk for report in annual_report_requeue_dead()]
