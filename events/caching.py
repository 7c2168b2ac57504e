"""The anonymous renderings of the public pages, cached per language and display mode.

A page is stored with the version of the public data it was rendered from. The actions that change
an event, its photos, a registration or an award (and so the admin, which calls them) set a new
version, and a page of another version is never served: the next request renders afresh.

Two levels. The shared one is Django's cache (Redis when REDIS_URL is set, so every process sees one
version and shares the renderings). In front of it each process keeps the pages it served and the
version it last read; it asks the shared cache for the version again after VERSION_CHECK_SECONDS.
So a change shows at once in the process that made it (the admin's, the registrant's) and within a
second in every other process, and a busy page is served without a round trip to Redis (on this
machine that round trip costs more than the rest of a cached response).

Pages carry forms (language, display) whose CSRF token differs per reader: the cached HTML holds a
placeholder that is replaced with the reader's own token on every response.
"""

import datetime
import functools
import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from core.context_processors import display_mode

VERSION_KEY = "events:public:version"
PAGE_PREFIX = "events:public:page:"
CSRF_PLACEHOLDER = "csrf0placeholder0e7a1c9b4d"
DEFAULT_SECONDS = 300
MIN_SECONDS = 1
VERSION_CHECK_SECONDS = 1.0
KEY_PARTS_MAX = 150
LOCAL_PAGES = 256  # renderings a process keeps (about 20 KB each)


@dataclass(frozen=True)
class Entry:
    """One rendering: the version it was made from, the HTML, its content type, and until when it holds."""

    version: str
    content: str
    content_type: str
    expires_at: float  # time.time()


class _Local(threading.local):
    """What this process (and thread) last knew: kept per thread, so no lock is needed."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.checked_at = float("-inf")
        self.pages: dict[str, Entry] = {}


_local = _Local()


def cache_seconds() -> int:
    """How long a page may be served from the cache at most; 0 turns the cache off."""
    return int(getattr(settings, "EVENTS_PUBLIC_CACHE_SECONDS", DEFAULT_SECONDS))


def _shared():
    return caches["default"]


def _redis_servers() -> list[str]:
    """The shared cache's Redis servers, from its settings (LOCATION: a URL, URLs separated by commas, or a list)."""
    location = settings.CACHES["default"].get("LOCATION", "")
    return [url for url in (location.split(",") if isinstance(location, str) else location) if url]


def _set_new_version() -> None:
    version = uuid.uuid4().hex
    _shared().set(VERSION_KEY, version, timeout=None)
    _local.version, _local.checked_at = version, time.monotonic()


def public_pages_changed() -> None:
    """Make every cached public page stale: now, and again when the current transaction commits.

    Now, so the writer's own next request sees the change; on commit, because a reader may have
    rendered the uncommitted state's predecessor under the new version in between.
    """
    _set_new_version()
    transaction.on_commit(_set_new_version)


def forget_local() -> None:
    """Drop what this thread knows (tests that empty the shared cache call this too)."""
    _local.version, _local.checked_at, _local.pages = None, float("-inf"), {}


@functools.cache
def _redis_reader(location: str) -> Any:
    """One Redis client per process for the read (thread-safe, with its own connection pool)."""
    import redis

    return redis.Redis.from_url(location)


def _read(keys: list[str]) -> dict[str, Any]:
    """The shared cache's get_many(keys), in one round trip.

    Django's Redis backend builds a new client object on every call, which costs more than the round
    trip itself (0.4 of 0.6 ms here); so with Redis the same keys are read through one kept client
    and decoded by Django's own serializer.
    """
    backend = _shared()
    servers = _redis_servers() if isinstance(backend, RedisCache) else []
    if len(servers) == 1:
        values = _redis_reader(servers[0]).mget([backend.make_and_validate_key(key) for key in keys])
        serializer = RedisSerializer()
        return {key: serializer.loads(value) for key, value in zip(keys, values, strict=True) if value is not None}
    return backend.get_many(keys)


def page_key(*parts: object) -> str:
    """The cache key of one page for this reader: the page's own parts, language and display mode.

    Parts come from the address (a slug, a year), so a long or odd one is hashed: a key stays short and
    printable whatever is typed (memcached's rule, which Django's cache checks on every backend).
    """
    key = ":".join(str(p) for p in parts)
    if len(key) > KEY_PARTS_MAX or not key.isprintable() or " " in key:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return PAGE_PREFIX + key


def reader_key(request: HttpRequest, *parts: object) -> str:
    return page_key(get_language() or "", display_mode(request), *parts)


def cacheable(request: HttpRequest) -> bool:
    """Anonymous GETs only: a logged-in reader sees their own menu and is never served the cache."""
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated and cache_seconds() > 0


def _respond(request: HttpRequest, entry: Entry, hit: bool) -> HttpResponse:
    response = HttpResponse(
        entry.content.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=entry.content_type
    )
    response["X-Public-Cache"] = "hit" if hit else "miss"
    # The HTML carries this reader's CSRF token, so only the reader's own browser may keep it.
    response["Cache-Control"] = "private, max-age=0"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _lookup(key: str) -> tuple[str | None, Entry | None]:
    """The current version and a valid rendering under `key`, from this process or the shared cache."""
    now = time.monotonic()
    entry = _local.pages.get(key)
    if _local.version is not None and now - _local.checked_at < VERSION_CHECK_SECONDS:
        if entry is not None and entry.version == _local.version and entry.expires_at > time.time():
            return _local.version, entry
        found = _read([key])
        version = _local.version
    else:
        found = _read([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            _shared().add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = _shared().get(VERSION_KEY)
        _local.version, _local.checked_at = version, now
    shared = found.get(key)
    if isinstance(shared, Entry) and shared.version == version and shared.expires_at > time.time():
        _remember(key, shared)
        return version, shared
    return version, None


def _remember(key: str, entry: Entry) -> None:
    if len(_local.pages) >= LOCAL_PAGES:
        _local.pages = {}
    _local.pages[key] = entry


def cached_page(
    request: HttpRequest,
    key: str,
    render: Callable[[dict[str, Any]], tuple[HttpResponse, datetime.datetime | None]],
) -> HttpResponse:
    """Serve the page under `key` from the cache, or render it and store it.

    `render(extra_context)` returns the response and when its content next changes by the clock alone
    (a registration deadline, a start or an end), or None. The page is kept until then, at most
    `cache_seconds()`. Other responses than 200 are returned as they are and never stored.
    """
    if not cacheable(request):
        response, _changes_at = render({})
        return response
    version, entry = _lookup(key)
    if entry is not None:
        return _respond(request, entry, hit=True)
    # The pending messages of this reader stay for a page that is not shared with others.
    response, changes_at = render({"csrf_token": CSRF_PLACEHOLDER, "messages": ()})
    if response.status_code != 200 or version is None:
        return response
    timeout = cache_seconds()
    if changes_at is not None:
        timeout = min(timeout, max(MIN_SECONDS, int((changes_at - timezone.now()).total_seconds()) + 1))
    entry = Entry(version, response.content.decode(response.charset), response["Content-Type"], time.time() + timeout)
    _shared().set(key, entry, timeout=timeout)
    _remember(key, entry)
    return _respond(request, entry, hit=False)
