"""A real Celery worker on Redis runs a task that reads the PostgreSQL test database."""

import pytest

from tests.integration.workers import Worker, running

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def worker(needs_redis, needs_postgres, tmp_path):
    """Start `celery worker` as production would, against the test database; stop it afterwards."""
    with running(Worker(needs_redis, tmp_path / "worker.log", paused=False)) as w:
        yield w.client


def test_a_real_worker_executes_a_task_against_the_database(worker):
    result = worker.send_task("services.heartbeat")
    answer = result.get(timeout=30)
    assert answer["streets"] == 14
    assert result.status == "SUCCESS"


def test_the_portal_app_stays_current_after_the_worker_test():
    from celery import current_app

    assert current_app.main == "jingan_portal"
    assert current_app.conf.task_always_eager is True
