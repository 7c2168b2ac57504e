"""/healthz reports the database, cache and broker, and answers 503 when one is down."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


def test_healthz_is_ok_on_the_embedded_setup(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(c["status"] == "ok" for c in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_ok_with_real_redis(client, needs_redis):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": needs_redis}}
    with override_settings(CACHES=redis_cache, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=needs_redis):
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"]["status"] == "ok"
    assert response.json()["checks"]["cache"]["detail"] == "RedisCache"


def test_healthz_is_503_naming_what_failed_when_redis_is_unreachable(client):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}}
    with override_settings(CACHES=redis_cache, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["cache"]["status"] == "error"


def test_concurrent_probes_of_a_healthy_cache_all_pass(needs_redis):
    """Probes racing on one Redis must not read each other's token (they used to share a key)."""
    from concurrent.futures import ThreadPoolExecutor

    from jingan_portal.health import _cache

    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": needs_redis}}
    with override_settings(CACHES=redis_cache), ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _n: _cache(), range(400)))
    assert results == ["RedisCache"] * 400
