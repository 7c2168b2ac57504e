"""The portal's Celery processes as the integration tests start them: a worker (or beat) against the test
database and Redis, its environment, and stopping it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from django.db import connection

from tests.integration.conftest import QUEUES as PORTAL_QUEUES
from tests.integration.conftest import purge_queues

ROOT = Path(__file__).resolve().parents[2]
QUEUES = "--queues=" + ",".join(PORTAL_QUEUES)
DELAY = 1.5  # seconds between counting the figures and storing them: time to kill the worker midway


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def portal_env(redis: str, **extra: str) -> dict[str, str]:
    """The environment of a worker or beat process against the test database and Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
        "SECRET_KEY": "worker-test-key-not-a-secret",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis,
        **extra,
    }


class Worker:
    """A `celery worker` subprocess against the test database, and a client app to reach it.

    `paused` runs it through tests/integration/paused_worker.py (a pause before storing the figures);
    otherwise it is `celery -A jingan_portal worker` as production starts it, a parent and its pool. It
    consumes every queue (CELERY_TASK_ROUTES), as one worker on a small machine may.
    """

    def __init__(self, redis: str, log: Path, *, paused: bool = True, env: dict[str, str] | None = None):
        self.redis = redis
        self.log_path = log
        self.paused = paused
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.client = Celery(broker=redis, backend=redis, set_as_current=False)
        self.client.conf.task_serializer = "json"

    def start(self) -> None:
        if self.paused:
            command = ["-m", "tests.integration.paused_worker", "-A", "jingan_portal", "worker", "--pool=solo", QUEUES]
            env = portal_env(self.redis, WORKER_TEST_STORE_PAUSE=str(DELAY), **self.env)
        else:
            command = ["-m", "celery", "-A", "jingan_portal", "worker", "--concurrency=1", QUEUES]
            env = portal_env(self.redis, **self.env)
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, *command, "--loglevel=INFO"],
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

    def forget_unacknowledged(self) -> None:
        """Drop the messages a killed worker left unacknowledged, so no later test's worker gets them back."""
        with self.client.connection_for_write() as conn:
            conn.default_channel.client.delete("unacked", "unacked_index")

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no cleanup, no acknowledgement."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            end_process(self.proc)


def end_process(proc: subprocess.Popen) -> None:
    """Stop a process started in a session of its own: asked first, then its whole group killed after 20 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def running(worker: Worker) -> Iterator[Worker]:
    """The worker started on empty queues (nothing left over from an earlier test reaches it), then stopped."""
    purge_queues(worker.client)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        worker.client.close()
