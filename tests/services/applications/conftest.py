"""Each test starts with empty rate-limit counters (core.ratelimit keeps them in the cache)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
