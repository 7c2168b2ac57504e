"""Fixtures of the events tests: role permissions of this app, a clean cache, a place for photos."""

import pytest
from django.core.cache import cache

from events import caching

# The permissions this app asks services.registry.roles to give (see the report of issue 8).


@pytest.fixture(autouse=True)
def clean_cache():
    """Cached pages and rate-limit counters of one test never reach another."""
    cache.clear()
    caching.forget_local()
    yield
    cache.clear()
    caching.forget_local()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
