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
