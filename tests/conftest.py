"""Shared fixtures: streets, users of every role, and the rule for tests that need real services."""

import importlib
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from services.models import Street, StreetAssignment, User
from services.registry import roles

# Playwright's sync API runs an event loop in the test thread; the ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = bool(os.environ.get("CI"))
CHROMIUM = "/usr/bin/chromium"


def require(available: bool, what: str) -> None:
    """Skip a test whose service is missing on a laptop; under CI the missing service is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def redis_answers(url: str) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


REFERENCE_DATA_MIGRATIONS = [
    "services.migrations.0002_streets_and_roles",
    "services.migrations.0005_hospitals_and_escort_services",
]


def load_reference_data() -> None:
    """Reload what data migrations put in the database (streets, roles, hospitals), idempotently."""
    from django.apps import apps

    from services.registry.roles import sync_role_permissions

    for name in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(name).load(apps, None)
    sync_role_permissions()


# Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`), the tests of one group run on one
# worker, one after another. DEMO: tests/demo's package fixture seeds the demo year once per worker
# that runs one of them, so they all go to one worker and the demo is seeded once per run. REDIS:
# the Redis DB is shared by every worker (cache, broker queue, the real Celery worker, which would
# take another worker's tasks), so the tests that use it never run at the same time.
DEMO_GROUP = "demo"
REDIS_GROUP = "redis"
TESTS = Path(__file__).resolve().parent


def xdist_group_of(item: pytest.Item) -> str | None:
    """The xdist group a collected test must run in, or None when any worker may run it."""
    if item.path.is_relative_to(TESTS / "demo"):
        return DEMO_GROUP
    if item.get_closest_marker("redis") is not None or "needs_redis" in getattr(item, "fixturenames", ()):
        return REDIS_GROUP
    return None


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker, and before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(name=group))


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test's database is flushed afterwards, data migrations' rows included; reload them.

    (Django's serialized_rollback cannot be relied on here: the Playwright tests run in another
    context, where the connection has no serialized copy.)
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        load_reference_data()


@pytest.fixture
def needs_postgres():
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture
def needs_redis() -> str:
    url = redis_url()
    require(redis_answers(url), "Redis (set REDIS_URL=redis://...)")
    return url


@pytest.fixture
def needs_chromium() -> str:
    require(shutil.which(CHROMIUM) is not None, f"Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture
def street(db) -> Street:
    return Street.objects.get(code="310106006")  # 江宁路街道


@pytest.fixture
def other_street(db) -> Street:
    return Street.objects.get(code="310106019")  # 大宁路街道


def make_user(username: str, role: str, *, is_staff: bool = False, streets: tuple[Street, ...] = ()) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    user.is_staff = is_staff
    user.save()
    user.groups.add(Group.objects.get(name=role))
    for s in streets:
        StreetAssignment.objects.create(user=user, street=s)
    return user


@pytest.fixture
def staff_user(db) -> User:
    return make_user("staff", roles.STAFF, is_staff=True)


@pytest.fixture
def auditor(db) -> User:
    return make_user("auditor", roles.AUDITOR, is_staff=True)


@pytest.fixture
def member(street) -> User:
    """A committee member of 江宁路街道."""
    return make_user("member_a", roles.COMMITTEE_MEMBER, streets=(street,))


@pytest.fixture
def other_member(other_street) -> User:
    """A committee member of 大宁路街道."""
    return make_user("member_b", roles.COMMITTEE_MEMBER, streets=(other_street,))


@pytest.fixture
def volunteer(db) -> User:
    return make_user("volunteer", roles.VOLUNTEER)


class RecordingNotifier:
    """A notification backend (NOTIFICATION_BACKEND) that keeps what it sends, for the `sent_messages` fixture."""

    channel = "test"
    sent: list[tuple[str, str]] = []

    def send(self, *, to: str, message: str) -> None:
        RecordingNotifier.sent.append((to, message))


@pytest.fixture
def sent_messages(settings) -> list[tuple[str, str]]:
    """The (address, message) pairs sent through core.notify during the test."""
    settings.NOTIFICATION_BACKEND = "tests.conftest.RecordingNotifier"
    RecordingNotifier.sent = []
    return RecordingNotifier.sent


@pytest.fixture
def in_english(settings):
    """Messages are asserted in English, whatever the Chinese catalogue says: the portal's default language is
    Chinese, so this test's own code and the pages its client fetches (without a language cookie) speak English."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
