"""The settings read the environment: database, broker, secret key."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'cache': settings.CACHES['default']['BACKEND'], 'debug': settings.DEBUG}))"
)


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    clean["DJANGO_SETTINGS_MODULE"] = "jingan_portal.settings.base"
    return subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def settings_with(**env: str) -> dict:
    done = load_settings(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_database_url_means_the_embedded_sqlite_file():
    s = settings_with(SECRET_KEY="x" * 50)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"].endswith("db.sqlite3")


def test_postgres_url_selects_postgresql():
    s = settings_with(SECRET_KEY="x" * 50, DATABASE_URL="postgres://portal@db.internal:5432/jingan")
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "jingan"


def test_no_redis_url_runs_tasks_in_process():
    s = settings_with(SECRET_KEY="x" * 50)
    assert s["eager"] is True
    assert s["cache"].endswith("LocMemCache")


def test_redis_url_is_broker_and_cache():
    s = settings_with(SECRET_KEY="x" * 50, REDIS_URL="redis://127.0.0.1:6379/3")
    assert s["eager"] is False
    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["cache"].endswith("RedisCache")


def test_debug_is_off_unless_set():
    assert settings_with(SECRET_KEY="x" * 50)["debug"] is False
    assert settings_with(DEBUG="true")["debug"] is True


def test_missing_secret_key_without_debug_is_a_clear_startup_error():
    done = load_settings(DEBUG="false")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


@pytest.mark.django_db
def test_suite_runs_on_postgresql_in_ci(needs_postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


# Entry points started without DJANGO_SETTINGS_MODULE get production settings, never `base`.

ENTRY_PROBE = (
    "import json, importlib, os; importlib.import_module({module!r}); from django.conf import settings; "
    "print(json.dumps({{'module': os.environ['DJANGO_SETTINGS_MODULE'], 'ssl': settings.SECURE_SSL_REDIRECT, "
    "'hsts': settings.SECURE_HSTS_SECONDS, 'otp': settings.OTP_REQUIRED_FOR_STAFF}}))"
)
ENTRY_POINTS = ["jingan_portal.wsgi", "jingan_portal.asgi", "jingan_portal.celery"]


def start_entry_point(module: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset | {"OTP_REQUIRED_FOR_STAFF"}}
    return subprocess.run(
        [sys.executable, "-c", ENTRY_PROBE.format(module=module)],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_an_entry_point_without_settings_module_or_secret_key_refuses_to_start(module):
    for debug in ({}, {"DEBUG": "true"}):  # DEBUG=true must not buy a development key in production
        done = start_entry_point(module, **debug)
        assert done.returncode != 0, debug
        assert "ImproperlyConfigured" in done.stderr
        assert "SECRET_KEY is not set" in done.stderr


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_an_entry_point_without_settings_module_gets_https_redirect_hsts_and_two_factor(module):
    done = start_entry_point(module, SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example")
    assert done.returncode == 0, done.stderr
    probed = json.loads(done.stdout.strip().splitlines()[-1])
    assert probed == {"module": "jingan_portal.settings.production", "ssl": True, "hsts": 31536000, "otp": True}


def test_production_redirects_plain_http_to_https_except_the_health_probes():
    code = (
        "import json, jingan_portal.wsgi; from django.test import Client; client = Client(); "
        "print(json.dumps([client.get(p).status_code for p in ('/healthz', '/healthz/ready', '/', '/admin/')]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE"}}
    env.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="testserver", DATABASE_URL="sqlite:///:memory:", REDIS_URL="")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    liveness, readiness, home, admin = json.loads(done.stdout.strip().splitlines()[-1])
    assert liveness == 200
    assert readiness in {200, 503}  # an empty in-memory database: answers, whatever it finds
    assert (home, admin) == (301, 301)


def test_a_dead_workers_message_comes_back_only_after_the_longest_task_could_have_run():
    from django.conf import settings

    from jingan_portal.celery import app

    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT + 120
    done = load_settings(SECRET_KEY="x" * 50, CELERY_VISIBILITY_TIMEOUT=str(settings.CELERY_TASK_TIME_LIMIT))
    assert done.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must exceed" in done.stderr
