"""Tasks are queued only after the transaction commits: a rolled-back change queues nothing."""

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from reports.actions import annual_report_request
from reports.models import AnnualReport
from reports.tasks import compute_previous_year, recompute_current_year
from services.registry.tasks import heartbeat

pytestmark = pytest.mark.django_db

# The apps whose code may queue tasks, and the only module allowed to queue at once (not after a commit).
APPS = ["services", "accessibility", "employment", "events", "reports", "jingan_portal"]
DIRECT = {Path("jingan_portal/health.py")}  # health: a probe outside any transaction
# Celery's DjangoTask (celery.py's task_cls) gives every task delay_on_commit / apply_async_on_commit.
QUEUEING = re.compile(r"\.(delay|apply_async|send_task)\(")


@contextmanager
def undone():
    """Run the block in a transaction (a savepoint here) that is rolled back at its end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_no_code_queues_a_task_except_on_commit():
    root = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for app in APPS
        for path in sorted((root / app).rglob("*.py"))
        if path.relative_to(root) not in DIRECT and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if QUEUEING.search(line)
    ]
    assert not offenders, "queue tasks with delay_on_commit / apply_async_on_commit:\n" + "\n".join(offenders)


def test_delay_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as rolled_back, undone():
        heartbeat.delay_on_commit()
    assert rolled_back == []
    with django_capture_on_commit_callbacks() as committed:
        heartbeat.delay_on_commit()
    assert len(committed) == 1


def test_a_rolled_back_report_request_queues_nothing(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, undone():
        _report, started = annual_report_request(year=2023, by=staff_user)
        assert started
    assert callbacks == []
    assert not AnnualReport.objects.exists()


def test_a_committed_report_request_runs_its_job_after_commit(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report, _started = annual_report_request(year=2023, by=staff_user)
        report.refresh_from_db()
        assert report.status == AnnualReport.Status.QUEUED  # not run inside the transaction
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DONE


def test_the_dashboard_button_queues_nothing_when_its_transaction_is_undone(
    staff_user, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks() as callbacks, undone():
        assert client.post(reverse("reports:compute", args=[2023])).status_code == 302
        assert AnnualReport.objects.filter(year=2023).exists()
    assert callbacks == []


@pytest.mark.parametrize("task", [recompute_current_year, compute_previous_year])
def test_the_scheduled_report_runs_queue_nothing_when_undone(task, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, undone():
        task.apply().get()
        assert AnnualReport.objects.count() == 1
    assert callbacks == []


def test_the_report_command_queues_nothing_inside_an_undone_transaction(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        undone(),
        pytest.raises(CommandError, match="did not finish"),
    ):
        call_command("annual_report", "2023", "--timeout", "0.3")
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_the_report_command_runs_the_job_at_once_outside_a_transaction(capsys):
    call_command("annual_report", "2023", "--json")
    assert json.loads(capsys.readouterr().out)["year"] == 2023
    assert AnnualReport.objects.get(year=2023).status == AnnualReport.Status.DONE


REPORTS_QUEUE = "reports"  # where CELERY_TASK_ROUTES sends the report job


@pytest.fixture
def broker(needs_redis):
    """The portal's tasks go to Redis instead of running in process; the queue starts and ends empty."""
    from jingan_portal.celery import app

    queue = redis.Redis.from_url(needs_redis)
    queue.delete(REPORTS_QUEUE)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = eager
        queue.delete(REPORTS_QUEUE)
        queue.close()


def queued_task_ids(queue: redis.Redis) -> list[str]:
    return [json.loads(message)["headers"]["id"] for message in queue.lrange(REPORTS_QUEUE, 0, -1)]


@pytest.mark.redis
def test_on_the_real_broker_only_the_committed_request_is_queued(
    broker, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), undone():
        annual_report_request(year=2023, by=staff_user)
    assert queued_task_ids(broker) == []

    with django_capture_on_commit_callbacks(execute=True):
        report, _started = annual_report_request(year=2024, by=staff_user)
    assert queued_task_ids(broker) == [report.task_id]
