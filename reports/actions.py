"""Writes of the reports app: request a run, run it figure by figure, freeze the official report."""

import datetime
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.input import FIRST_YEAR, LAST_YEAR, YEAR_OUT_OF_RANGE
from services.models import User
from services.registry.audit import audit_record
from services.registry.permissions import action_permission_check

from .figures import FIGURES
from .models import AnnualReport
from .stats import annual_figures

# A run whose last sign of life is older than this is taken to be dead (its worker was killed).
DEFAULT_STALE_AFTER_SECONDS = 600


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", DEFAULT_STALE_AFTER_SECONDS))


def is_stale(report: AnnualReport, now: datetime.datetime) -> bool:
    last = report.heartbeat_at or report.created_at
    return now - last > stale_after()


def code_version() -> str:
    """The version of the running code, as the deployment names it (CODE_VERSION), or "unknown"."""
    return getattr(settings, "CODE_VERSION", "") or "unknown"


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            YEAR_OUT_OF_RANGE,
            code="bad_year",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return year


def _dispatch(report: AnnualReport) -> None:
    """Queue the report's job under its task id once the transaction commits (never for a rollback)."""
    from .tasks import compute_annual_report

    compute_annual_report.apply_async_on_commit(args=[report.pk], task_id=report.task_id)


def annual_report_request(*, year: int, by: User | None = None, dispatch: bool = True) -> tuple[AnnualReport, bool]:
    """Queue a run of the report job for `year` unless one is under way; returns (report, started).

    A run whose worker died (no sign of life for REPORTS_STALE_AFTER_SECONDS) is given a new task.
    The job is dispatched after commit unless `dispatch` is false. Raises ValidationError.
    """
    _check_year(year)
    now = timezone.now()
    with transaction.atomic():
        active = AnnualReport.objects.select_for_update().filter(year=year, status__in=AnnualReport.ACTIVE).first()
        if active is not None and not is_stale(active, now):
            return active, False
        if active is not None:
            report = active
            report.status = AnnualReport.Status.QUEUED
            report.task_id = str(uuid.uuid4())
            report.heartbeat_at = now
            report.save(update_fields=["status", "task_id", "heartbeat_at", "updated_at"])
            code = "reports.annual_report.restarted"
        else:
            try:
                with transaction.atomic():
                    report = AnnualReport.objects.create(
                        year=year,
                        task_id=str(uuid.uuid4()),
                        requested_by=by if getattr(by, "pk", None) else None,
                        progress_total=len(FIGURES),
                        heartbeat_at=now,
                    )
            except IntegrityError:
                # Another trigger for this year committed its run first: that run is the one.
                return AnnualReport.objects.get(year=year, status__in=AnnualReport.ACTIVE), False
            code = "reports.annual_report.requested"
        audit_record(obj=report, code=code, by=by, data={"year": year})
        if dispatch:
            _dispatch(report)
    return report, True


def annual_report_start(*, report_id: int, task_id: str) -> AnnualReport | None:
    """Mark the run as running under `task_id`; None when there is nothing for this task to do.

    Nothing to do: the report is finished or gone, queued for another task, or another live task runs it.
    """
    now = timezone.now()
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or not report.is_active:
            return None
        if report.status == AnnualReport.Status.QUEUED and report.task_id != task_id:
            return None  # queued for another task (a dead run given a new one): only that one starts it
        if report.status == AnnualReport.Status.RUNNING and report.task_id != task_id and not is_stale(report, now):
            return None
        # Otherwise: queued, a retry of this very task, or a dead run taken over. The figures are
        # computed from the records, so starting them again gives the same ones.
        report.status = AnnualReport.Status.RUNNING
        report.task_id = task_id
        report.started_at = now
        report.heartbeat_at = now
        report.progress_done = 0
        report.progress_total = len(FIGURES)
        report.save()
    return report


def annual_report_compute(*, report: AnnualReport) -> AnnualReport:
    """Count every figure of the report's year (one SQL statement, `reports.tally`), then store them.

    Progress is committed once the figures are counted, before `annual_report_store` stores them.
    """
    started = time.monotonic()
    figures = annual_figures(report.year)
    AnnualReport.objects.filter(pk=report.pk, task_id=report.task_id).update(
        progress_done=len(figures), heartbeat_at=timezone.now()
    )
    return annual_report_store(report=report, figures=figures, started=started)


def annual_report_store(*, report: AnnualReport, figures: dict[str, Any], started: float) -> AnnualReport:
    """Store the counted `figures` of the run begun at `started` (time.monotonic()) and mark it done.

    When another task has taken the run over in the meantime, nothing is stored by this one.
    """
    with transaction.atomic():
        current = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if current.status != AnnualReport.Status.RUNNING or current.task_id != report.task_id:
            return current
        current.figures = figures
        current.status = AnnualReport.Status.DONE
        current.progress_done = current.progress_total = len(FIGURES)
        current.generated_at = timezone.now()
        current.duration_ms = round((time.monotonic() - started) * 1000)
        current.code_version = code_version()
        current.error = ""
        current.save()
        audit_record(obj=current, code="reports.annual_report.computed", by=None, data={"year": current.year})
    return current


def annual_report_fail(*, report_id: int, task_id: str, error: str) -> None:
    """Record that the run of `task_id` failed (unless another task has taken it over)."""
    AnnualReport.objects.filter(pk=report_id, task_id=task_id, status__in=AnnualReport.ACTIVE).update(
        status=AnnualReport.Status.FAILED, error=error[:2000], heartbeat_at=timezone.now()
    )


@transaction.atomic
def annual_report_freeze(*, report: AnnualReport, by: User) -> AnnualReport:
    """Make `report` the official report of its year; later runs never change it.

    Raises ValidationError if `by` may not freeze reports or the report cannot be frozen.
    """
    action_permission_check(by, "reports.freeze_annualreport")
    # Lock the whole year so two staff freezing two runs at once cannot both succeed.
    reports = {r.pk: r for r in AnnualReport.objects.select_for_update().filter(year=report.year)}
    report = reports[report.pk]
    if report.is_frozen:
        raise ValidationError(_("This report is already the official one."), code="already_frozen")
    if report.status != AnnualReport.Status.DONE:
        raise ValidationError(_("Only a finished report can be frozen."), code="not_done")
    if any(r.is_frozen for r in reports.values()):
        raise ValidationError(
            _("The official report for %(year)s is already frozen."), code="year_frozen", params={"year": report.year}
        )
    report.frozen_at = timezone.now()
    report.frozen_by = by
    report.save(update_fields=["frozen_at", "frozen_by", "updated_at"])
    audit_record(obj=report, code="reports.annual_report.frozen", by=by, data={"year": report.year})
    return report
