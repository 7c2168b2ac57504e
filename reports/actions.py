"""Writes of the reports app: request a run, run it figure by figure, freeze the official report."""

import datetime
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import replica_reads
from core.i18n import join_list
from core.input import FIRST_YEAR, LAST_YEAR, YEAR_OUT_OF_RANGE
from services.models import User
from services.registry.audit import audit_record, history_by, save_audited
from services.registry.permissions import action_permission_check

from .figures import FIGURES, counted, listed_ids
from .models import AnnualPlan, AnnualReport, FrozenRecord, lease
from .opendata import published_changed
from .stats import annual_figures

logger = logging.getLogger("portal.reports")


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


def _requeue(report: AnnualReport, *, now: datetime.datetime, by: User | None, dispatch: bool) -> None:
    """Give the locked, dead run a new task and queue it.

    The dead task's message, if a worker ever gets it back, finds another task id and does nothing.
    """
    report.status = AnnualReport.Status.QUEUED
    report.task_id = str(uuid.uuid4())
    report.heartbeat_at = now
    report.save(update_fields=["status", "task_id", "heartbeat_at", "updated_at"])
    audit_record(
        obj=report,
        code="reports.annual_report.restarted",
        by=by,
        data={"year": report.year, "attempts": report.attempts},
    )
    if dispatch:
        _dispatch(report)


def annual_report_request(*, year: int, by: User | None = None, dispatch: bool = True) -> tuple[AnnualReport, bool]:
    """Queue a run of the report job for `year` unless one is under way; returns (report, started).

    A run whose worker died (no sign of life for REPORTS_STALE_AFTER_SECONDS) is given a new task.
    The job is dispatched after commit unless `dispatch` is false. Raises ValidationError.
    """
    _check_year(year)
    now = timezone.now()
    with transaction.atomic():
        active = AnnualReport.objects.select_for_update().filter(year=year, status__in=AnnualReport.ACTIVE).first()
        if active is not None and not active.is_stale(now):
            return active, False
        if active is not None:
            _requeue(active, now=now, by=by, dispatch=dispatch)
            return active, True
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
        audit_record(obj=report, code="reports.annual_report.requested", by=by, data={"year": year})
        if dispatch:
            _dispatch(report)
    return report, True


def annual_report_requeue_dead(*, dispatch: bool = True) -> list[AnnualReport]:
    """Queue again every running run whose worker gave no sign of life for the lease; returns them.

    This is how a run heals when its whole worker was killed: its message stays unacknowledged in Redis
    until the visibility timeout, and nothing else would run it. A queued run is left alone: its message
    is in the queue, and queueing another would only send it to the back.
    """
    now = timezone.now()
    with transaction.atomic():
        dead = list(
            AnnualReport.objects.select_for_update(skip_locked=True)
            .filter(status=AnnualReport.Status.RUNNING)
            .filter(Q(heartbeat_at__lt=now - lease()) | Q(heartbeat_at=None, created_at__lt=now - lease()))
            .order_by("pk")
        )
        for report in dead:
            logger.warning("Annual report %s (%s): its worker went silent, queued again", report.pk, report.year)
            _requeue(report, now=now, by=None, dispatch=dispatch)
    return dead


def annual_report_start(*, report_id: int, task_id: str, retry: bool = False) -> AnnualReport | None:
    """Mark the run as running under `task_id`; None when there is nothing for this task to do.

    Nothing to do: the report is finished or gone, queued for another task, or another live task runs it.
    `retry` is true when Celery retries the task after a database error: that is not a new attempt.
    A run taken up REPORTS_MAX_ATTEMPTS times already (its worker died each time) is marked failed.
    """
    now = timezone.now()
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or not report.is_active:
            return None
        if report.status == AnnualReport.Status.QUEUED and report.task_id != task_id:
            return None  # queued for another task (a dead run given a new one): only that one starts it
        if report.status == AnnualReport.Status.RUNNING and report.task_id != task_id and not report.is_stale(now):
            return None
        if not retry and report.attempts >= settings.REPORTS_MAX_ATTEMPTS:
            report.status = AnnualReport.Status.FAILED
            report.error = f"Its worker stopped during each of its {report.attempts} attempts (REPORTS_MAX_ATTEMPTS)."
            report.heartbeat_at = now
            report.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])
            audit_record(obj=report, code="reports.annual_report.abandoned", by=None, data={"year": report.year})
            return None
        # Otherwise: queued, a retry of this very task, or a dead run taken over. The figures are
        # computed from the records, so starting them again gives the same ones.
        report.status = AnnualReport.Status.RUNNING
        report.task_id = task_id
        report.started_at = now
        report.heartbeat_at = now
        report.progress_done = 0
        report.progress_total = len(FIGURES)
        if not retry:
            report.attempts += 1
        report.save()
    return report


def _renew_lease(report: AnnualReport) -> None:
    AnnualReport.objects.filter(pk=report.pk, task_id=report.task_id, status=AnnualReport.Status.RUNNING).update(
        heartbeat_at=timezone.now()
    )


@contextmanager
def _lease_kept(report: AnnualReport) -> Iterator[None]:
    """Renew the run's lease from a thread while the block runs, so a long count is not taken for dead.

    Killed with its worker, the thread stops renewing, and the lease runs out.
    """
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(lease().total_seconds() / 4):
                try:
                    _renew_lease(report)
                except DatabaseError:
                    logger.warning("Annual report %s: its lease could not be renewed", report.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=renew, name=f"annual-report-{report.pk}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def annual_report_compute(*, report: AnnualReport) -> AnnualReport:
    """Count every figure of the report's year (one SQL statement, `reports.tally`), then store them.

    The counting reads from the replica when one may be read (core.db); the run's own rows, its progress
    and the figures stored, stay on the primary. Progress is committed once the figures are counted,
    before `annual_report_store` stores them.
    """
    started = time.monotonic()
    with _lease_kept(report), replica_reads():
        figures = annual_figures(report.year)
    AnnualReport.objects.filter(pk=report.pk, task_id=report.task_id).update(
        progress_done=len(figures), heartbeat_at=timezone.now()
    )
    return annual_report_store(report=report, figures=figures, started=started)


def annual_report_store(*, report: AnnualReport, figures: dict[str, Any], started: float) -> AnnualReport:
    """Store the counted `figures` of the run begun at `started` (time.monotonic()) and mark it done.

    When another task has taken the run over in the meantime, nothing is stored by this one.
    One UPDATE that only matches while this task still runs the report: the run's other fields are as
    `annual_report_start` left them (only the lease, which the history leaves out, changed since), so its
    history row is made from `report`, updated in place and returned, without reading the row again.
    """
    now = timezone.now()
    done = {
        "figures": figures,
        "status": AnnualReport.Status.DONE,
        "progress_done": len(FIGURES),
        "progress_total": len(FIGURES),
        "generated_at": now,
        "duration_ms": round((time.monotonic() - started) * 1000),
        "code_version": code_version(),
        "error": "",
        "updated_at": now,
    }
    with transaction.atomic():
        running = AnnualReport.objects.filter(pk=report.pk, task_id=report.task_id, status=AnnualReport.Status.RUNNING)
        if not running.update(**done):
            return AnnualReport.objects.get(pk=report.pk)  # taken over by another task: its state, untouched
        for field, value in done.items():
            setattr(report, field, value)
        AnnualReport.history.bulk_history_create([history_by(report, None)], update=True, default_change_reason=None)
        audit_record(obj=report, code="reports.annual_report.computed", by=None, data={"year": report.year})
    return report


def annual_report_fail(*, report_id: int, task_id: str, error: str) -> None:
    """Record that the run of `task_id` failed (unless another task has taken it over)."""
    AnnualReport.objects.filter(pk=report_id, task_id=task_id, status__in=AnnualReport.ACTIVE).update(
        status=AnnualReport.Status.FAILED, error=error[:2000], heartbeat_at=timezone.now()
    )


def _records_behind(report: AnnualReport) -> dict[str, list[int]]:
    """The ids of the rows each figure of `report` lists now, by figure key.

    Raises ValidationError when the records no longer give the report's figures (a record was added or
    changed since the run): the rows kept would not be those counted.
    """
    registry = [figure for figure in FIGURES if figure.key in report.figures]
    now = counted(report.year, registry)
    ids = listed_ids(report.year, registry)
    changed = [
        figure
        for figure in registry
        if (now[figure.key].value, now[figure.key].breakdowns)
        != (report.figures[figure.key]["value"], report.figures[figure.key]["breakdowns"])
        or (not figure.tally.total and len(ids[figure.key]) != report.figures[figure.key]["value"])
    ]
    if changed:
        raise ValidationError(
            _(
                "The records have changed since this run was computed (%(figures)s): "
                "run the report again and freeze the new run."
            ),
            code="records_changed",
            params={"figures": join_list(figure.label for figure in changed)},
        )
    return ids


@transaction.atomic
def annual_report_freeze(*, report: AnnualReport, by: User) -> AnnualReport:
    """Make `report` the official report of its year and keep the rows behind each figure, which its
    drill-downs list from then on; later runs never change it.

    Raises ValidationError if `by` may not freeze reports, the report cannot be frozen, or the records
    have changed since it was computed.
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
    kept = _records_behind(report)
    FrozenRecord.objects.bulk_create(
        FrozenRecord(report=report, figure=key, record_id=pk) for key, pks in kept.items() for pk in pks
    )
    report.frozen_at = timezone.now()
    report.frozen_by = by
    report.records_kept = True
    report.save(update_fields=["frozen_at", "frozen_by", "records_kept", "updated_at"])
    audit_record(
        obj=report,
        code="reports.annual_report.frozen",
        by=by,
        data={"year": report.year, "records_kept": sum(len(pks) for pks in kept.values())},
    )
    # The year is published as open data from now on: the API's cached index and year lists are stale.
    published_changed()
    return report


@transaction.atomic
def annual_plan_save(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    """Create or change a draft plan target after full validation, audited.

    Raises ValidationError if `by` may not, the plan breaks a rule or is approved (a fact: never changed).
    """
    creating = plan._state.adding
    action_permission_check(by, "reports.add_annualplan" if creating else "reports.change_annualplan")
    if not creating and AnnualPlan.objects.select_for_update().get(pk=plan.pk).is_approved:
        raise ValidationError(_("An approved plan target is not changed."), code="approved")
    plan.full_clean()
    save_audited(
        plan,
        code="reports.annual_plan.created" if creating else "reports.annual_plan.updated",
        by=by,
        data={"year": plan.year, "figure": plan.figure, "target": plan.target},
    )
    return plan


@transaction.atomic
def annual_plan_approve(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    """Record the plan target as approved by its document: from now on the report compares the figure with it.

    Raises ValidationError if `by` may not approve plans, the plan is approved already or names no
    document or date.
    """
    action_permission_check(by, "reports.approve_annualplan")
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_approved:
        raise ValidationError(_("This plan target is already approved."), code="approved")
    if not plan.document.strip() or plan.document_date is None:
        raise ValidationError(
            _("Name the approved document and its date before approving the target."), code="no_source"
        )
    plan.status = AnnualPlan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = by
    history_by(plan, by)
    plan.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    audit_record(obj=plan, code="reports.annual_plan.approved", by=by, data={"year": plan.year, "figure": plan.figure})
    return plan
