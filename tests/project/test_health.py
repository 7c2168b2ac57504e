"""Liveness (/healthz) calls no backend; readiness (/healthz/ready) reports the database, cache and broker.

Readiness answers 503 when one is down, with component names and ok/error only; its worker probe is for
verified staff, rate-limited.
"""

import logging
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingan_portal import health, views

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_healthz_is_ok_on_the_embedded_setup(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(c["status"] == "ok" for c in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_ok_with_real_redis(client, needs_redis):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": needs_redis}}
    with override_settings(CACHES=redis_cache, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=needs_redis):
        response = client.get("/healthz/ready")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"]["status"] == "ok"
    assert response.json()["checks"]["cache"] == {"status": "ok"}


def test_healthz_is_503_naming_what_failed_when_redis_is_unreachable(client):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}}
    with override_settings(CACHES=redis_cache, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE):
        response = client.get("/healthz/ready")
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


# Liveness


def _backends_must_not_be_called(*_args, **_kwargs):
    raise AssertionError("liveness called a backend")


def test_liveness_calls_no_database_cache_or_broker(client, django_assert_num_queries):
    with (
        django_assert_num_queries(0),
        mock.patch.dict(health.CHECKS, dict.fromkeys(health.CHECKS, _backends_must_not_be_called)),
        mock.patch("jingan_portal.health.caches", new=mock.Mock(side_effect=_backends_must_not_be_called)),
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_liveness_is_200_while_the_database_and_redis_are_down(client):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}}
    with (
        override_settings(CACHES=redis_cache, CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=UNREACHABLE),
        mock.patch.object(connection, "cursor", side_effect=RuntimeError("db down")),
    ):
        assert client.get("/healthz").status_code == 200
        assert client.get("/healthz/ready").status_code == 503


# Readiness says nothing of why


SECRET_DETAIL = "could not connect to server at db.internal:5432, password authentication failed for portal"


def test_an_anonymous_caller_sees_no_exception_text_when_the_database_is_down(client, caplog):
    with (
        mock.patch.object(connection, "cursor", side_effect=RuntimeError(SECRET_DETAIL)),
        caplog.at_level(logging.WARNING, logger="jingan_portal.health"),
    ):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": {"status": "error"}, "cache": {"status": "ok"}, "broker": {"status": "ok"}},
    }
    text = response.content.decode()
    assert "RuntimeError" not in text
    assert "db.internal" not in text
    # The server log keeps the reason for whoever runs the portal.
    assert "readiness check database failed: RuntimeError" in caplog.text


def test_staff_see_no_exception_text_either(client, staff_user):
    client.force_login(staff_user)
    # Only the probe's own connection fails, so the session and the user still load.
    down = mock.Mock(cursor=mock.Mock(side_effect=RuntimeError(SECRET_DETAIL)))
    with mock.patch.object(health, "connection", down):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert "db.internal" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()


# The worker probe


def _verified(client: Client, user) -> Client:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def probe_counts():
    """Count calls of every readiness check and of the worker probe (which is not run for real)."""
    calls = {"checks": 0, "worker": 0}

    def counted(*, worker: bool = False):
        calls["checks"] += 1
        calls["worker"] += worker
        return True, {}

    with mock.patch("jingan_portal.views.check_all", side_effect=counted):
        yield calls


def test_anonymous_and_non_staff_callers_cannot_run_the_worker_probe(client, member, probe_counts):
    assert client.get("/healthz/ready?worker=1").status_code == 403
    client.force_login(member)
    assert client.get("/healthz/ready?worker=1").status_code == 403
    assert probe_counts == {"checks": 0, "worker": 0}


def test_staff_before_two_factor_do_not_run_the_worker_probe(client, staff_user, settings, probe_counts):
    settings.OTP_REQUIRED_FOR_STAFF = True
    TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    client.force_login(staff_user)  # a password-only session: no second factor yet
    response = client.get("/healthz/ready?worker=1")
    assert response.status_code == 403
    assert probe_counts == {"checks": 0, "worker": 0}


def test_verified_staff_run_the_worker_probe(client, staff_user, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    _verified(client, staff_user)
    response = client.get("/healthz/ready?worker=1")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"] == {"status": "ok"}


def test_the_worker_probe_is_rate_limited_per_user(client, staff_user, auditor, settings, probe_counts):
    settings.OTP_REQUIRED_FOR_STAFF = True
    _verified(client, staff_user)
    allowed = views.WORKER_PROBES_PER_WINDOW
    answers = [client.get("/healthz/ready?worker=1").status_code for _ in range(allowed + 2)]
    assert answers == [200] * allowed + [429, 429]
    assert probe_counts["worker"] == allowed
    limited = client.get("/healthz/ready?worker=1")
    assert int(limited["Retry-After"]) > 0
    # Without the probe, readiness still answers; another staff member has a count of their own.
    assert client.get("/healthz/ready").status_code == 200
    other = _verified(Client(), auditor)
    assert other.get("/healthz/ready?worker=1").status_code == 200
