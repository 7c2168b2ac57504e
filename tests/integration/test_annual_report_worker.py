"""The annual report job on a real Celery worker (Redis broker, PostgreSQL): killed midway, rerun, one run per year."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.test import override_settings

from reports.actions import annual_report_request
from reports.figures import FIGURES
from reports.models import AnnualReport
from reports.stats import annual_figures
from services.models import Street
from tests.integration.test_celery_worker import database_url
from tests.reports.conftest import build_year
from tests.reports.factories import AnnualPlanFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
DELAY = 1.5  # seconds between counting the figures and storing them: time to kill the worker midway


class Worker:
    """A `celery worker` subprocess against the test database, and a client app to reach it."""

    def __init__(self, redis: str, log: Path):
        self.redis = redis
        self.log_path = log
        self.proc: subprocess.Popen | None = None
        self.client = Celery(broker=redis, backend=redis, set_as_current=False)
        self.client.conf.task_serializer = "json"

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
            "SECRET_KEY": "worker-test-key-not-a-secret",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis,
            "WORKER_TEST_STORE_PAUSE": str(DELAY),
        }
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.paused_worker",
                "-A",
                "jingan_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while not self.client.control.ping(timeout=0.5):
            assert self.proc.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "the worker did not answer a ping within 60 s"

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no cleanup, no acknowledgement."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(needs_redis, needs_postgres, tmp_path):
    w = Worker(needs_redis, tmp_path / "worker.log")
    # A clean queue: nothing left over from an earlier run reaches this worker.
    w.client.control.purge()
    try:
        w.start()
        yield w
    finally:
        w.stop()
        w.client.close()


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


@pytest.fixture
def through_the_broker():
    """Tasks dispatched by this process go to Redis (the test settings run them eagerly otherwise)."""
    from jingan_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


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
