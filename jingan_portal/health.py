"""Health checks: liveness (the process answers) and readiness (database, cache and task broker answer).

Liveness calls no backend, so a load balancer probing it costs nothing and never sees a 503 while the
process serves. Readiness reports each component as ok or error only: why it failed goes to the server
log, never into the response, whoever asks.
"""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
WORKER_TIMEOUT_SECONDS = 5


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


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


def _broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in process: there is no broker to reach
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def _worker() -> None:
    from services.registry.tasks import heartbeat

    result = heartbeat.apply_async(expires=WORKER_TIMEOUT_SECONDS)
    result.get(timeout=WORKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], object]] = {"database": _database, "cache": _cache, "broker": _broker}


def check_all(*, worker: bool = False) -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check (and a round trip through a worker if asked); return whether all passed and each one's status.

    A failure is logged with its exception class and message (which name hosts, never a person).
    """
    results: dict[str, dict[str, str]] = {}
    checks = {**CHECKS, "worker": _worker} if worker else CHECKS
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, f"{exc.__class__.__name__}: {exc}"[:300])
            results[name] = {"status": "error"}
        else:
            results[name] = {"status": "ok"}
    return all(r["status"] == "ok" for r in results.values()), results
