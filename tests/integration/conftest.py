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
