"""The report task (eager here; tests/integration runs it on a real worker) and its schedules."""

import pytest
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from reports import figures
from reports.actions import annual_report_request
from reports.models import AnnualReport
from reports.tasks import compute_annual_report

pytestmark = pytest.mark.django_db


def test_a_request_dispatches_the_task_after_commit(year_2023, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report, _started = annual_report_request(year=2023)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == "done"
    assert report.figures["escort_person_visits"]["value"] == 3


def test_the_task_does_nothing_for_a_finished_report(year_2023, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _started = annual_report_request(year=2023)
    assert compute_annual_report.apply(args=[report.pk]).get() is None


def test_a_transient_database_error_is_retried_and_the_run_completes(year_2023, monkeypatch):
    failures = []
    original = figures.count_all

    def flaky(tallies, year):
        if not failures:
            failures.append(year)
            raise OperationalError("server closed the connection unexpectedly")
        return original(tallies, year)

    # The edge simulated: the statement counting the figures loses the database connection once.
    monkeypatch.setattr(figures, "count_all", flaky)
    report, _started = annual_report_request(year=2023, dispatch=False)
    compute_annual_report.apply(args=[report.pk], task_id=report.task_id, throw=False)
    report.refresh_from_db()
    assert failures == [2023]
    assert report.status == "done"
    assert report.attempts == 1  # a retry after a database error is not a new attempt
    assert report.figures["ramp_passages"]["value"] == 3


def test_a_failing_figure_marks_the_run_failed_and_frees_the_year(year_2023, monkeypatch):
    def broken(tallies, year):
        raise ZeroDivisionError("bad figure")

    monkeypatch.setattr(figures, "count_all", broken)
    report, _started = annual_report_request(year=2023, dispatch=False)
    with pytest.raises(ZeroDivisionError):
        compute_annual_report.apply(args=[report.pk], task_id=report.task_id).get()
    report.refresh_from_db()
    assert report.status == "failed"
    assert "bad figure" in report.error
    assert annual_report_request(year=2023, dispatch=False)[1] is True


def test_the_schedules_are_database_rows_staff_can_edit():
    tasks = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="reports.")}
    monthly = tasks["reports.recompute_current_year"].crontab
    january = tasks["reports.compute_previous_year"].crontab
    assert (monthly.day_of_month, monthly.month_of_year) == ("1", "*")
    assert (january.day_of_month, january.month_of_year) == ("15", "1")
    assert str(january.timezone) == "Asia/Shanghai"


def test_the_scheduled_tasks_queue_the_current_and_previous_year(django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to("2024-01-15 03:00 +08:00")
    from reports.tasks import compute_previous_year, recompute_current_year

    recompute_current_year.apply()
    compute_previous_year.apply()
    assert sorted(AnnualReport.objects.values_list("year", flat=True)) == [2023, 2024]


def test_beat_sweeps_for_dead_runs_every_minute_and_the_sweep_runs_them_again(
    year_2023, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from reports.actions import annual_report_start
    from reports.tasks import requeue_dead_runs

    entry = settings.CELERY_BEAT_SCHEDULE["annual-report-heal"]
    assert (entry["task"], entry["schedule"], settings.REPORTS_SWEEP_SECONDS) == (requeue_dead_runs.name, 60, 60)
    assert settings.REPORTS_STALE_AFTER_SECONDS + settings.REPORTS_SWEEP_SECONDS < 180
    report, _started = annual_report_request(year=2023, dispatch=False)
    annual_report_start(report_id=report.pk, task_id=report.task_id)
    AnnualReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_dead_runs.apply().get() == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 2)
    assert report.figures["escort_person_visits"]["value"] == 3


# Pinned (issue #22): taking the run (a savepoint and its release, the row locked, saved, its history row), the plan
# targets and the one counting statement, the progress, then storing it (a savepoint and its release, one UPDATE that
# matches only while this task runs the report, its history row, the audit entry). A query more is a round trip more.
JOB_QUERIES = 13


def test_the_job_takes_a_fixed_number_of_queries_and_keeps_its_history_and_audit(year_2023, django_assert_num_queries):
    from services.models import AuditEntry

    report, _started = annual_report_request(year=2023, dispatch=False)
    with django_assert_num_queries(JOB_QUERIES):
        compute_annual_report.apply(args=[report.pk], task_id=report.task_id, throw=True)
    report.refresh_from_db()
    assert (report.status, report.progress_done, report.progress_total) == (
        "done",
        len(figures.FIGURES),
        len(figures.FIGURES),
    )
    assert report.heartbeat_at <= report.generated_at == report.updated_at
    history = list(report.history.order_by("history_id"))
    assert [(h.status, h.history_type, h.history_user_id, h.history_change_reason) for h in history] == [
        ("queued", "+", None, None),
        ("running", "~", None, None),
        ("done", "~", None, None),
    ]
    assert history[-1].figures == report.figures
    assert (history[-1].generated_at, history[-1].duration_ms) == (report.generated_at, report.duration_ms)
    codes = AuditEntry.objects.filter(model="reports.annualreport", object_id=str(report.pk)).order_by("pk")
    assert [(e.code, e.user_id, e.data) for e in codes] == [
        ("reports.annual_report.requested", None, {"year": 2023}),
        ("reports.annual_report.computed", None, {"year": 2023}),
    ]
