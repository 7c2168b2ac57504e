"""Every task goes to a queue a worker of the Procfile consumes; reports have their own queue, reminders theirs.

The task registry is read from the Celery app itself, so a task added later is checked the same way.
"""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings

from jingan_portal.celery import app

ROOT = Path(settings.BASE_DIR)
NOTIFY = {
    "services.send_escort_reminders",
    "services.send_overdue_follow_up_digest",
    "events.resend_registration_links",
}
SHORT_REPORT_JOBS = {"reports.requeue_dead_runs", "exports.expire_export_jobs"}  # sweeps: must not wait behind a report


def procfile() -> dict[str, list[str]]:
    """The Procfile's processes: name -> command as a list of arguments."""
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _colon, command = line.partition(":")
            entries[name.strip()] = shlex.split(command)
    return entries


def option(command: list[str], name: str) -> str | None:
    """The value of `--name=value` or `--name value` in a command."""
    for n, arg in enumerate(command):
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
        if arg == f"--{name}":
            return command[n + 1]
    return None


def workers() -> dict[str, list[str]]:
    celery_worker = ["celery", "-A", "jingan_portal", "worker"]
    return {name: command for name, command in procfile().items() if command[:4] == celery_worker}


def consumed() -> dict[str, str]:
    """queue -> the Procfile worker consuming it."""
    queues = {}
    for name, command in workers().items():
        for queue in (option(command, "queues") or app.conf.task_default_queue).split(","):
            assert queue not in queues, f"{queue} is consumed by {queues[queue]} and {name}"
            queues[queue] = name
    return queues


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def portal_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


@pytest.mark.parametrize("task_name", portal_tasks())
def test_every_task_is_consumed_by_a_worker_of_the_procfile(task_name):
    assert queue_of(task_name) in consumed()


@pytest.mark.parametrize("task_name", portal_tasks())
def test_reports_and_exports_have_their_queue_and_reminders_theirs(task_name):
    if task_name in NOTIFY:
        expected = "notify"
    elif re.match(r"(reports|exports)\.", task_name) and task_name not in SHORT_REPORT_JOBS:
        expected = "reports"
    else:
        expected = app.conf.task_default_queue
    assert queue_of(task_name) == expected


def test_each_queue_has_its_own_worker_and_reports_run_one_at_a_time():
    queues = consumed()
    assert set(queues) == {"celery", "notify", "reports"}
    assert len(set(queues.values())) == 3
    assert option(workers()[queues["reports"]], "concurrency") == "1"
    # Several workers on one machine need distinct node names, or they shadow each other's control replies.
    names = [option(command, "hostname") for command in workers().values()]
    assert None not in names
    assert len(set(names)) == len(names)


def test_make_worker_starts_every_worker_of_the_procfile():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^worker: .*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    started = re.search(r"honcho start (.*)", recipe.group(1))
    assert started is not None
    assert set(started.group(1).split()) == set(workers())
