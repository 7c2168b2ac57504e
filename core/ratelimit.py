"""Fixed-window counters per scope and identifier (a client address, say), kept in Django's cache (Redis
when configured), so every web node counts together."""

import time
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

DEFAULT_WINDOW_SECONDS = 10 * 60


def _key(scope: str, ident: str, window: int, now: float) -> str:
    return f"ratelimit:{scope}:{window}:{ident}:{int(now // window)}"


def count(scope: str, ident: str, *, window: int = DEFAULT_WINDOW_SECONDS) -> int:
    """How many hits `ident` has made in `scope` in the current window."""
    return int(cache.get(_key(scope, ident, window, time.time())) or 0)


def hit(scope: str, ident: str, *, window: int = DEFAULT_WINDOW_SECONDS) -> int:
    """Count one more hit of `ident` in `scope` and return the window's total."""
    key = _key(scope, ident, window, time.time())
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def seconds_left(*, window: int = DEFAULT_WINDOW_SECONDS) -> int:
    """Seconds until the current window ends, for a Retry-After header."""
    return int(window - time.time() % window) + 1


def with_retry_after(response: HttpResponse, *, window: int = DEFAULT_WINDOW_SECONDS) -> HttpResponse:
    """`response` (a refusal) told when to try again: a Retry-After header of the seconds left in `window`."""
    response["Retry-After"] = str(seconds_left(window=window))
    return response


def refused_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, window: int = DEFAULT_WINDOW_SECONDS
) -> HttpResponse:
    """The page `template` saying there were too many attempts: a 429 with Retry-After; the context also gets
    `minutes`, the length of `window`, for the page's "try again within ... minutes"."""
    return with_retry_after(render(request, template, {**context, "minutes": window // 60}, status=429), window=window)
