"""Reads that may lag, from a PostgreSQL streaming replica when one is configured (DATABASE_REPLICA_URL).

Nothing is read from the replica unless the code asks for it: `replica_reads()` opens a scope (a `with`
block, or a decorator) in which the router sends reads to the alias "replica". Writes always go to the
primary, and so do reads inside a transaction on it (they may need to see that transaction's writes) and
reads of a browser that saved something in the last REPLICA_MAX_LAG_SECONDS (plus the check's interval),
so the page after a save shows it (`PrimaryAfterWriteMiddleware`).

Before the first read of a scope the replica is checked: it must answer and have replayed the primary's
changes up to REPLICA_MAX_LAG_SECONDS ago. The check is one cheap query, its answer kept for
REPLICA_CHECK_SECONDS in each process. When the replica is down or lags, the scope reads from the primary
and a warning says why (no personal data: the alias, the lag in seconds, the kind of error).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
logger = logging.getLogger("portal.db")

# The alias the reads of the current scope go to; None outside every scope (reads go to the primary).
_scope: ContextVar[str | None] = ContextVar("replica_scope", default=None)
# True while a request of a browser that has just saved something is served (PrimaryAfterWriteMiddleware).
_pinned: ContextVar[bool] = ContextVar("primary_pinned", default=False)

# How far behind the primary the replica is, in seconds. Idle (everything received is replayed, and the
# WAL receiver runs), it is up to date whenever the last transaction replayed was; otherwise the age of
# that transaction. NULL (nothing replayed since the replica started, not streaming) counts as too far.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
        THEN 0
    ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
END
"""


def replica_configured() -> bool:
    """Whether a replica is configured (DATABASE_REPLICA_URL)."""
    return REPLICA in settings.DATABASES


@dataclass(frozen=True)
class _Check:
    usable: bool
    at: float  # time.monotonic() of the check


_last: dict[str, _Check] = {}
_lock = threading.Lock()


def replica_lag() -> float | None:
    """How many seconds the replica is behind the primary; None when it cannot tell (nothing replayed yet).

    Raises DatabaseError when the replica does not answer.
    """
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        (lag,) = cursor.fetchone()
    return None if lag is None else float(lag)


def _check() -> bool:
    """Ask the replica how far behind it is; log a warning and answer False when it may not be read."""
    limit = settings.REPLICA_MAX_LAG_SECONDS
    try:
        lag = replica_lag()
    except DatabaseError as exc:
        # A broken connection is not reused: the next check connects again.
        connections[REPLICA].close()
        logger.warning("Replica %r unavailable (%s): reading from the primary", REPLICA, type(exc).__name__)
        return False
    if lag is None or lag > limit:
        shown = "unknown" if lag is None else f"{lag:.1f}"
        logger.warning("Replica %r lags %s s (limit %s s): reading from the primary", REPLICA, shown, limit)
        return False
    return True


def replica_usable() -> bool:
    """Whether reads that may lag can go to the replica now: checked at most every REPLICA_CHECK_SECONDS."""
    if not replica_configured():
        return False
    now = time.monotonic()
    with _lock:
        last = _last.get(REPLICA)
        if last is None or now - last.at >= settings.REPLICA_CHECK_SECONDS:
            last = _last[REPLICA] = _Check(usable=_check(), at=now)
    return last.usable


def _forget_check() -> None:
    with _lock:
        _last.pop(REPLICA, None)


def _primary_required() -> bool:
    # A transaction on the primary may have written what it reads next; a browser may have just saved it.
    return connections[DEFAULT_DB_ALIAS].in_atomic_block or _pinned.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads of the block (or of the decorated function) to the replica when it may be read, else
    to the primary. Use it only for reads that may lag: report counting, the dashboard, drill-downs, exports.

    A scope inside another keeps the outer one's choice. When the replica fails during the block, its
    check is forgotten, so the next scope (a retried task) checks it again and falls back.
    """
    alias = _scope.get()
    if alias is None:
        alias = REPLICA if not _primary_required() and replica_usable() else DEFAULT_DB_ALIAS
    token = _scope.set(alias)
    try:
        yield
    except (OperationalError, InterfaceError):
        if alias == REPLICA:
            _forget_check()
        raise
    finally:
        _scope.reset(token)


def reading_from() -> str:
    """The alias the reads of the current scope go to ("replica" or "default")."""
    alias = _scope.get()
    if alias is None or _primary_required():
        return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """DATABASE_ROUTERS: reads in a `replica_reads()` scope go to the replica, everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return reading_from()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Even for an object read from the replica (Django would otherwise write it where it came from).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # One database under two aliases: an object read from the replica may point to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # The replica replays the primary's schema; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS


PIN_COOKIE = "primary_until"


class PrimaryAfterWriteMiddleware:
    """After a browser saves something (any request that is not GET, HEAD or OPTIONS), its reads go to the
    primary until the replica has surely replayed the save: REPLICA_MAX_LAG_SECONDS, plus the time a
    check's answer is kept. The cookie holds only that moment (a timestamp); a browser that forges it can
    only send its own reads to the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _pinned.set(_pinned_until(request) > time.time())
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            window = settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + window:.0f}",
                max_age=window,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response


def _pinned_until(request: HttpRequest) -> float:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return 0.0
