"""Liveness checks of the parts the portal depends on: database, cache and task broker."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2
WORKER_TIMEOUT_SECONDS = 5


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    # A key of its own per probe: with one shared key, concurrent probes overwrote each other's
    # token and reported a healthy cache as broken (503s under load).
    token = uuid.uuid4().hex
    key = f"healthz:probe:{token}"
    cache = caches["default"]
    cache.set(key, token, 10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("cache did not return what was written")
    finally:
        cache.delete(key)
    return type(cache).__name__


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager (tasks run in process)"
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return f"{conn.transport_cls} connected"


def _worker() -> str:
    from services.tasks import heartbeat

    result = heartbeat.apply_async(expires=WORKER_TIMEOUT_SECONDS)
    answer = result.get(timeout=WORKER_TIMEOUT_SECONDS)
    return f"answered; {answer['streets']} streets"


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "cache": _cache, "broker": _broker}


def check_all(*, worker: bool = False) -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check (and a round trip through a worker if asked); return whether all passed and each state."""
    results: dict[str, dict[str, str]] = {}
    checks = {**CHECKS, "worker": _worker} if worker else CHECKS
    for name, check in checks.items():
        try:
            results[name] = {"status": "ok", "detail": check()}
        except Exception as exc:
            results[name] = {"status": "error", "detail": f"{exc.__class__.__name__}: {exc}"[:300]}
    return all(r["status"] == "ok" for r in results.values()), results
