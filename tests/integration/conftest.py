"""Fixtures of the integration tests, which start real services (a Celery worker, a PostgreSQL standby)."""

import pytest


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


# Every queue a Procfile worker consumes (CELERY_TASK_ROUTES): a bare Celery client's purge() clears only "celery".
QUEUES = ("celery", "notify", "reports")


def purge_queues(client) -> None:
    """Empty every queue of the portal on the client's broker: no earlier test's task reaches this one's worker."""
    with client.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)
