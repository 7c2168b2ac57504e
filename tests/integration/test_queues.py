"""The Procfile's workers on Redis: an escort reminder goes out while a long annual report is running.

The report is made long by the database, not by the portal's code: the test holds an ACCESS EXCLUSIVE
lock on the retrofit table, which the report's count reads and the reminders do not, so the report
waits midway on its worker for as long as the test wants.
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from accessibility.models import Retrofit
from reports.actions import annual_report_request
from reports.models import AnnualReport
from services.escorts import actions as escorts
from services.escorts.tasks import send_escort_reminders
from services.models import EscortService, Reminder
from tests.integration.conftest import purge_queues
from tests.integration.test_annual_report_worker import TableLock, wait_for
from tests.integration.workers import portal_env
from tests.project.test_queues import procfile
from tests.services.factories import eligible_person, make_slot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procfile_workers(needs_redis, needs_postgres, tmp_path):
    """The Procfile's reports and notify workers, started with its own command lines against the test database."""
    client = Celery(broker=needs_redis, backend=needs_redis, set_as_current=False)
    purge_queues(client)
    started = {}
    try:
        for name in ("worker-reports", "worker-notify"):
            command = procfile()[name]
            assert command[0] == "celery"
            with (tmp_path / f"{name}.log").open("w") as log:
                started[name] = subprocess.Popen(
                    [sys.executable, "-m", *command],
                    cwd=ROOT,
                    env=portal_env(needs_redis),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + 60
        while len(client.control.ping(timeout=0.5)) < len(started):
            for name, proc in started.items():
                assert proc.poll() is None, (tmp_path / f"{name}.log").read_text()
            assert time.monotonic() < deadline, "the workers did not answer a ping within 60 s"
        yield client
    finally:
        for proc in started.values():
            proc.terminate()
        for proc in started.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        client.close()


@pytest.mark.usefixtures("procfile_workers", "through_the_broker")
def test_an_escort_reminder_goes_out_while_a_long_report_runs(street, staff_user):
    person = eligible_person(street, phone="13912345678")
    booking = escorts.escort_booking_create(
        person=person,
        slot=make_slot(days_ahead=1),
        need="deaf",
        services=list(EscortService.objects.filter(code="registration")),
        by=staff_user,
    )
    lock = TableLock(Retrofit._meta.db_table)
    try:
        report, started = annual_report_request(year=2023)
        assert started
        deadline = time.monotonic() + 30
        while lock.waiters() == 0:  # the report's count has begun on the reports worker, and waits
            assert time.monotonic() < deadline, "the report's count never reached the locked table"
            time.sleep(0.1)

        asked = time.monotonic()
        assert send_escort_reminders.delay().get(timeout=30) == 1
        took = time.monotonic() - asked
        assert AnnualReport.objects.get(pk=report.pk).status == "running"
        assert lock.waiters() == 1
    finally:
        lock.release()

    print(f"reminder sent {took:.2f} s after it was queued, while the report was running")
    assert Reminder.objects.get().booking == booking
    assert wait_for(report.pk, lambda r: r.status == "done").status == "done"
