"""The demo year, seeded once per run for every test in this folder (seeding 3,000 persons takes minutes): under
pytest-xdist they all run on one worker (tests/conftest.py), and the run fails if the demo was seeded twice.

`seed_demo` runs twice inside one outer transaction; each test then runs in a savepoint of it, as
any `django_db` test does, so what a test changes is undone before the next, and the whole demo is
rolled back when the folder is done. Tests here must not be transactional.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.conftest import note_demo_seeded

# Recomputed by each run on purpose: every seed_demo run stores a fresh 2023 report from the records,
# and audits that it did.
RECOMPUTED = {"reports.AnnualReport"}


@dataclass(frozen=True)
class DemoYear:
    output: str  # what the first run printed
    first: dict[str, int]  # rows per model after the first run
    second: dict[str, int]  # and after the second


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in RECOMPUTED or model.__name__.startswith("Historical"):
            continue
        rows = model._default_manager.all()
        if label == "services.AuditEntry":
            rows = rows.exclude(code__startswith="reports.annual_report.")
        counts[label] = rows.count()
    return counts


@pytest.fixture(scope="package")
def demo_year(django_db_setup, django_db_blocker, pytestconfig) -> Iterator[DemoYear]:
    note_demo_seeded(pytestconfig)  # counted at the end of the run: once, whatever the number of workers
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        with override_settings(DEBUG=True):
            call_command("seed_demo", persons=3000, stdout=out)
            first = row_counts()
            call_command("seed_demo", persons=3000, stdout=io.StringIO())
        yield DemoYear(output=out.getvalue(), first=first, second=row_counts())
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _demo(demo_year, db) -> None:
    """Every test here sees the demo year, in a savepoint of its own."""
