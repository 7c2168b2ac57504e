"""The annual report job on a real Celery worker (Redis broker, PostgreSQL): killed midway, rerun, one run per year."""

import subprocess
import sys
import time

import psycopg2
import pytest
from django.test import override_settings
from django.utils import timezone

from reports.actions import annual_report_request
from reports.figures import FIGURES
from reports.models import AnnualReport
from reports.stats import annual_figures
from services.models import AuditEntry, EscortBooking, Street
from tests.integration.conftest import purge_queues
from tests.integration.workers import DELAY, ROOT, Worker, database_url, end_process, portal_env, running
from tests.reports.conftest import build_year
from tests.reports.factories import AnnualPlanFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(needs_redis, needs_postgres, tmp_path):
    with running(Worker(needs_redis, tmp_path / "worker.log")) as w:
        yield w


def wait_for(report_id: int, condition, timeout: float = 60) -> AnnualReport:
    deadline = time.monotonic() + timeout
    while True:
        report = AnnualReport.objects.get(pk=report_id)
        if condition(report):
            return report
        assert time.monotonic() < deadline, f"timed out: {report.status} {report.progress_done}/{report.progress_total}"
        time.sleep(0.1)


def dispatch(year: int) -> tuple[AnnualReport, bool]:
    """What the dashboard button does: request a run, which the broker delivers after commit."""
    return annual_report_request(year=year)


def test_a_worker_killed_midway_leaves_a_run_that_completes_identically_when_rerun(worker, through_the_broker):
    build_year(Street.objects.get(code="310106006"), Street.objects.get(code="310106019"))
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    expected = annual_figures(2023)  # computed here, in process

    with override_settings(REPORTS_STALE_AFTER_SECONDS=3):
        report, started = dispatch(2023)
        assert started
        midway = wait_for(report.pk, lambda r: r.status == "running" and r.progress_done == len(FIGURES))
        worker.kill()
        time.sleep(0.5)
        stuck = AnnualReport.objects.get(pk=report.pk)
        # Killed after counting, before storing: nothing is stored.
        assert (stuck.status, stuck.progress_done, stuck.figures) == ("running", len(FIGURES), {})
        assert stuck.task_id == midway.task_id

        # While the dead run still looks alive, a new trigger joins it rather than starting another.
        assert dispatch(2023) == (AnnualReport.objects.get(pk=report.pk), False)
        time.sleep(3.5)
        worker.start()
        rerun, restarted = dispatch(2023)
        assert restarted
        assert rerun.pk == report.pk
        done = wait_for(report.pk, lambda r: r.status == "done")

    assert done.figures == expected
    assert done.task_id == rerun.task_id != report.task_id
    assert AnnualReport.objects.filter(year=2023).count() == 1


def test_two_triggers_for_one_year_give_one_run_on_the_worker(worker, through_the_broker):
    first, started = dispatch(2024)
    second, started_again = dispatch(2024)
    assert (started, started_again) == (True, False)
    assert second.pk == first.pk
    done = wait_for(first.pk, lambda r: r.status == "done")
    assert AnnualReport.objects.filter(year=2024).count() == 1
    assert done.code_version
    assert done.duration_ms >= DELAY * 1000 * 0.9
    # A second delivery of the same task finds the report done and leaves it alone.
    assert worker.client.send_task("reports.compute_annual_report", args=[first.pk]).get(timeout=30) is None


def test_the_command_runs_the_job_through_the_broker(worker, through_the_broker, capsys):
    from django.core.management import call_command

    call_command("annual_report", "2022", "--json")
    out = capsys.readouterr().out
    assert '"year": 2022' in out
    report = AnnualReport.objects.get(year=2022)
    assert report.status == "done"
    assert report.task_id in out


# A short lease and sweep, through the settings' environment variables, so the test takes seconds.
LEASE, SWEEP = 4, 2
HEALING = {"REPORTS_STALE_AFTER_SECONDS": str(LEASE), "REPORTS_SWEEP_SECONDS": str(SWEEP)}


@pytest.fixture
def production_worker(needs_redis, needs_postgres, tmp_path):
    """`celery -A jingan_portal worker` (parent and pool), started by the test when it wants it."""
    w = Worker(needs_redis, tmp_path / "worker.log", paused=False, env=HEALING)
    purge_queues(w.client)
    w.forget_unacknowledged()
    try:
        yield w
    finally:
        w.stop()
        w.forget_unacknowledged()
        w.client.close()


@pytest.fixture
def beat(needs_redis, needs_postgres, tmp_path):
    """`celery -A jingan_portal beat`, its own process as in the Procfile: it outlives a killed worker."""
    log_path = tmp_path / "beat.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jingan_portal", "beat", "--loglevel=INFO"],
            cwd=tmp_path,
            env={**portal_env(needs_redis, **HEALING), "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield log_path
    finally:
        end_process(proc)


class TableLock:
    """An ACCESS EXCLUSIVE lock on a table, held from a connection of its own until released.

    The report's count reads the table, so it waits on the lock: a run kept midway by the database,
    with nothing added to the portal's code.
    """

    def __init__(self, table: str):
        self.table = table
        self.conn = psycopg2.connect(database_url())
        with self.conn.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def waiters(self) -> int:
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [self.table])
            return cursor.fetchone()[0]

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


def test_a_run_whose_whole_worker_was_killed_completes_on_its_own(production_worker, beat, through_the_broker):
    build_year(Street.objects.get(code="310106006"), Street.objects.get(code="310106019"))
    AnnualPlanFactory(figure="escort_person_visits", target=2)
    expected = annual_figures(2023)  # a clean run's figures, counted here

    lock = TableLock(EscortBooking._meta.db_table)
    try:
        production_worker.start()
        with override_settings(**{name: int(value) for name, value in HEALING.items()}):
            report, _started = dispatch(2023)
            first = wait_for(report.pk, lambda r: r.status == "running")
            deadline = time.monotonic() + 30
            while lock.waiters() == 0:  # the count has begun and waits on the table
                assert time.monotonic() < deadline, "the report's count never reached the locked table"
                time.sleep(0.1)
            # Slow but alive: its worker renews the lease, so the sweep leaves it alone.
            time.sleep(LEASE + SWEEP)
            alive = AnnualReport.objects.get(pk=report.pk)
            assert (alive.status, alive.task_id, alive.attempts) == ("running", first.task_id, 1)
            assert alive.heartbeat_at > first.heartbeat_at

            production_worker.kill()  # SIGKILL to the worker's process group: parent and pool
            lock.release()
            time.sleep(LEASE + SWEEP)
            stalled = AnnualReport.objects.get(pk=report.pk)
            # With no worker up, nothing runs it: the run waits, and the dashboard says it will be retried.
            assert (stalled.status, stalled.task_id) == ("running", first.task_id)
            assert stalled.is_stale(timezone.now())

            restarted = time.monotonic()
            production_worker.start()
            answered = time.monotonic()
            done = wait_for(report.pk, lambda r: r.status == "done", timeout=180)
            healed_in = time.monotonic() - answered
    finally:
        lock.release()

    print(f"new worker answered in {answered - restarted:.1f} s; run done {healed_in:.1f} s after its answer")
    assert healed_in < 180
    assert done.figures == expected
    assert done.attempts == 2
    assert done.task_id != first.task_id
    assert list(AnnualReport.objects.filter(year=2023).values_list("status", flat=True)) == ["done"]
    assert AuditEntry.objects.filter(code="reports.annual_report.computed").count() == 1
    assert AuditEntry.objects.filter(code="reports.annual_report.restarted").count() == 1
