"""A fixed-window counter per client address, kept in Django's cache (Redis when configured)."""

import time

from django.core.cache import cache
from django.http import HttpRequest

# At most 5 registrations, and 20 attempts of any kind, from one address in 10 minutes.
WINDOW_SECONDS = 10 * 60
REGISTRATIONS_PER_WINDOW = 5
ATTEMPTS_PER_WINDOW = 20


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy, the proxy must set REMOTE_ADDR from the client's."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ident: str, now: float) -> str:
    return f"events:ratelimit:{scope}:{ident}:{int(now // WINDOW_SECONDS)}"


def count(scope: str, ident: str) -> int:
    """How many hits `ident` has made in `scope` in the current window."""
    return int(cache.get(_key(scope, ident, time.time())) or 0)


def hit(scope: str, ident: str) -> int:
    """Count one more hit and return the window's total."""
    key = _key(scope, ident, time.time())
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def seconds_left() -> int:
    """Seconds until the current window ends, for a Retry-After header."""
    return int(WINDOW_SECONDS - time.time() % WINDOW_SECONDS) + 1
