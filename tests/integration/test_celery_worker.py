"""A real Celery worker on Redis runs a task that reads the PostgreSQL test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(needs_redis, needs_postgres, tmp_path):
    """Start `celery worker` as production would, against the test database; stop it afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
        "SECRET_KEY": "worker-test-key-not-a-secret",
        "DATABASE_URL": database_url(),
        "REDIS_URL": needs_redis,
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jingan_portal", "worker", "--concurrency=1", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # Not the current app: shared tasks called later in this test run must stay on the portal's app.
    client = Celery(broker=needs_redis, backend=needs_redis, set_as_current=False)
    client.conf.task_serializer = "json"
    try:
        deadline = time.monotonic() + 60
        while not client.control.ping(timeout=0.5):
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not answer a ping within 60 s"
        yield client
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        client.close()


def test_a_real_worker_executes_a_task_against_the_database(worker):
    result = worker.send_task("services.heartbeat")
    answer = result.get(timeout=30)
    assert answer["streets"] == 14
    assert result.status == "SUCCESS"


def test_the_portal_app_stays_current_after_the_worker_test():
    from celery import current_app

    assert current_app.main == "jingan_portal"
    assert current_app.conf.task_always_eager is True
