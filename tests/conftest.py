"""Shared fixtures: streets, users of every role, and the rule for tests that need real services."""

import importlib
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate
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


# What the data migrations seed and every test may expect: the 14 streets and the role groups (0002), the
# hospitals, their clinic hours and the escort services (0005), the report job's schedules (reports 0002).
REFERENCE_DATA_MIGRATIONS = [
    "services.migrations.0002_streets_and_roles",
    "services.migrations.0005_hospitals_and_escort_services",
    "reports.migrations.0002_report_schedules",
]


def reload_reference_data(sender, using: str = "default", **kwargs) -> None:
    """After a flush, put back what the data migrations seeded (each `load` keeps the rows that exist).

    A transactional test (TransactionTestCase, `django_db(transaction=True)`, live_server) ends with Django's
    `flush`, which empties every table, then sends post_migrate, which recreates content types and permissions
    and gives the role groups theirs again (services.apps); the streets, hospitals, escort services and report
    schedules only this puts back. In one process Django runs transactional tests last; on xdist workers a group
    (Redis, a module's Chromium) carries its transactional tests forward, so any test may come after a flush.
    `migrate` sends post_migrate too, so a `--reuse-db` database a killed run left flushed is filled again.
    tests/project/test_reference_data_survives_flush.py fails when a flush leaves any of it missing.
    """
    if using == "default":
        for name in REFERENCE_DATA_MIGRATIONS:
            importlib.import_module(name).load(django_apps, None)


# Once per flush or migrate: post_migrate is sent for each app in turn, this receives only the services app's.
post_migrate.connect(reload_reference_data, sender=django_apps.get_app_config("services"), dispatch_uid=__name__)


# pytest-xdist. `make test` runs the suite on PYTEST_WORKERS workers (`-n auto`: one per core), each with its own
# test database (test_<name>_gw0...), under `--dist loadgroup` (addopts in pyproject.toml): xdist sends the tests
# of one xdist_group to one worker as one unit, run one after another, and each other test to whichever worker
# is free. The hook below gives the groups at collection, on each worker, before xdist reads the marks in its
# own pytest_collection_modifyitems (it turns them into the "@group" suffix of the ids the controller schedules).
# - REDIS: every worker shares the one Redis DB of REDIS_URL (cache, broker queue, and the real Celery worker,
#   which would take the other worker's tasks), so the tests that use it run on one worker, never two at once.
# - SHARED_FIXTURES: the tests that share a fixture set up once per package or module run on one worker, so it
#   is set up once per run: the demo year (seed_demo twice, minutes), the access matrix's records, Chromium.
# Ports and files are each worker's own already: live_server listens on a free port, Chromium and the Celery
# workers get temporary folders, the backup tests name their scratch databases after the test database.
# After a run on workers the controller checks that each group ran on one worker and that the demo year was
# seeded once, says so in the summary, and fails the run otherwise.
REDIS_GROUP = "redis"
SHARED_FIXTURES = {"demo_year": "package", "world": "module", "fuzz_world": "module", "browser": "module"}


def xdist_group_of(item: pytest.Item) -> str | None:
    """The xdist group a collected test must run in, or None when any worker may run it."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("redis") is not None or "needs_redis" in fixtures:
        return REDIS_GROUP
    scopes = {SHARED_FIXTURES[name] for name in fixtures & SHARED_FIXTURES.keys()}
    shared = item.path.parent if "package" in scopes else item.path if "module" in scopes else None
    return None if shared is None else shared.relative_to(item.config.rootpath).as_posix()


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker, and before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(name=group))


RAN_ON = pytest.StashKey[dict[str, set[str]]]()  # group -> the workers that ran its tests
DEMO_SEEDED_ON = pytest.StashKey[list[str]]()  # the worker of each seeding of the demo year
BROKEN = pytest.StashKey[list[str]]()  # what the controller found wrong with the groups


def this_worker(config: pytest.Config) -> str:
    """The xdist worker this process is ("gw0"...), or "main" when the suite runs in one process."""
    return getattr(config, "workerinput", {}).get("workerid", "main")


def note_demo_seeded(config: pytest.Config) -> None:
    """tests/demo's demo_year calls this each time it seeds the demo year."""
    config.stash.setdefault(DEMO_SEEDED_ON, []).append(this_worker(config))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("xdist_group"):
        group = mark.kwargs.get("name", mark.args[0] if mark.args else "default")
        item.config.stash.setdefault(RAN_ON, {}).setdefault(group, set()).add(this_worker(item.config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """On the controller, as each xdist worker finishes: gather the groups it ran and its seedings."""
    output = getattr(node, "workeroutput", {})  # missing when the worker crashed
    for group in output.get("xdist_groups", []):
        node.config.stash.setdefault(RAN_ON, {}).setdefault(group, set()).add(node.workerinput["workerid"])
    node.config.stash.setdefault(DEMO_SEEDED_ON, []).extend(output.get("demo_seeded_on", []))


def broken_groups(ran_on: dict[str, set[str]], demo_seeded_on: list[str]) -> list[str]:
    """What went wrong with the groups of a run: a group on two workers, the demo year seeded twice."""
    broken = [f"group {group} ran on {', '.join(sorted(on))}" for group, on in sorted(ran_on.items()) if len(on) > 1]
    if len(demo_seeded_on) > 1:
        broken.append(f"the demo year was seeded {len(demo_seeded_on)} times ({', '.join(demo_seeded_on)})")
    return broken


@pytest.hookimpl(tryfirst=True)  # on a worker, before xdist sends `workeroutput` to the controller
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["xdist_groups"] = sorted(config.stash.get(RAN_ON, {}))
        config.workeroutput["demo_seeded_on"] = config.stash.get(DEMO_SEEDED_ON, [])
        return
    broken = broken_groups(config.stash.get(RAN_ON, {}), config.stash.get(DEMO_SEEDED_ON, []))
    config.stash[BROKEN] = broken
    if broken:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    ran_on, seeded_on = config.stash.get(RAN_ON, {}), config.stash.get(DEMO_SEEDED_ON, [])
    for problem in config.stash.get(BROKEN, []):
        terminalreporter.write_line(f"xdist groups broken: {problem}", red=True)
    workers = {worker for on in ran_on.values() for worker in on} - {"main"}
    if workers and not config.stash.get(BROKEN, []):
        terminalreporter.write_line(f"xdist groups: each of {len(ran_on)} ran on one of {len(workers)} workers")
    if seeded_on:
        terminalreporter.write_line(f"the demo year was seeded {len(seeded_on)} time(s), on {', '.join(seeded_on)}")


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


@pytest.fixture
def staff_client(client, staff_user):
    """The test client signed in as `staff_user` (a module that needs another language overrides it)."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def member_client(client, member):
    """The test client signed in as `member`, the committee member of 江宁路街道."""
    client.force_login(member)
    return client


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
