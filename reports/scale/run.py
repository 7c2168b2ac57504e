"""One run of the generator: the checks before it, the transaction that writes every record, VACUUM after."""

import datetime
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accessibility.models import RampRetrofit, SignLanguagePoint
from employment.models import Course, Employer
from events.models import Event
from services.models import EscortSlot, Household, Person

from .accessibility import AccessibilityRecords
from .employment import EmploymentRecords
from .events import EventRecords
from .load import BulkLoad
from .registry import RegistryRecords
from .rehabilitation import RehabilitationRecords
from .result import STAMP_PREFIX, ScaleResult, stamp
from .visits import VisitRecords


class ScaleRefused(Exception):
    """The generator will not run: the message says why (translated)."""


def check_can_run(*, persons: int, years: int, append: bool, force: bool) -> None:
    """Refuse bad arguments, SQLite, and a registry that already has persons. Raises ScaleRefused."""
    if connection.vendor != "postgresql":
        raise ScaleRefused(_("The scale generator needs PostgreSQL (set DATABASE_URL=postgres://...)."))
    if not 1 <= persons <= 2_000_000:
        raise ScaleRefused(_("Give between 1 and 2,000,000 persons."))
    if not 1 <= years <= 30:
        raise ScaleRefused(_("Give between 1 and 30 years."))
    if append and force:
        raise ScaleRefused(_("Choose either --append or --force, not both."))
    if not (append or force) and Person.objects.exists():
        raise ScaleRefused(
            _(
                "This database already has persons. Use --append to add to them, or --force to empty "
                "the registry and every service record first."
            )
        )


class Generator(
    RegistryRecords, VisitRecords, AccessibilityRecords, EmploymentRecords, EventRecords, RehabilitationRecords
):
    """Makes the rows of one run; `run()` writes them all in one transaction."""

    def run(self) -> ScaleResult:
        """Generate and COPY everything in one transaction; rows and timings in the result."""
        steps = (
            self.persons,
            self.visits,
            self.escorts,
            self.retrofits,
            self.community,
            self.employment,
            self.events,
            self.rehabilitation,
            self.prevention,
        )
        seconds = dict.fromkeys(("generate", "copy"), 0.0)
        with transaction.atomic(), connection.cursor() as cursor:
            self.users()
            load = BulkLoad(cursor)
            for step in steps:
                started = time.perf_counter()
                step(cursor)
                copied = time.perf_counter()
                seconds["generate"] += copied - started
                # Each step's tables go in as soon as it is done, so that their rows leave the generator.
                for name, table in self.tables.items():
                    load.drop(name)
                    self.result.rows[name] = self.result.rows.get(name, 0) + table.write(cursor)
                self.tables = {}
                seconds["copy"] += time.perf_counter() - copied
            started = time.perf_counter()
            load.restore()
            self.write_stamp(cursor)
            seconds["indexes and foreign keys"] = time.perf_counter() - started
            committing = time.perf_counter()
        seconds["commit"] = time.perf_counter() - committing
        self.result.seconds.update(seconds)
        return self.result

    def write_stamp(self, cursor: Any) -> None:
        previous = stamp() or {}
        text = json.dumps(
            {
                "persons": Person.objects.count(),
                "years": max(self.years, previous.get("years", 0)),
                "seed": self.seed,
                "first_year": self.first_day.year,
                "today": self.today.isoformat(),
                "runs": previous.get("runs", 0) + 1,
            }
        )
        cursor.execute(f'COMMENT ON TABLE "{Person._meta.db_table}" IS %s', [STAMP_PREFIX + text])


def vacuum_analyze(tables: Iterable[str]) -> None:
    """VACUUM (ANALYZE) the tables written, as autovacuum eventually would (outside any transaction)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')


def truncate_all() -> None:
    """Empty the registry and every table that refers to it (for --force), keeping users and reference data."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with checks pending
        cursor.execute(
            f'TRUNCATE "{Person._meta.db_table}", "{Event._meta.db_table}", "{Employer._meta.db_table}", '
            f'"{Course._meta.db_table}", "{RampRetrofit._meta.db_table}", "{SignLanguagePoint._meta.db_table}", '
            f'"{EscortSlot._meta.db_table}", "{Household._meta.db_table}" CASCADE'
        )
        cursor.execute(f'COMMENT ON TABLE "{Person._meta.db_table}" IS NULL')


def generate_scale(
    *,
    persons: int,
    years: int,
    seed: int = 2023,
    append: bool = False,
    force: bool = False,
    today: datetime.date | None = None,
    vacuum: bool = True,
    log: Callable[[str], None] = lambda _line: None,
) -> ScaleResult:
    """Fill the database with `persons` new persons and `years` years of their records. Raises ScaleRefused."""
    check_can_run(persons=persons, years=years, append=append, force=force)
    if force:
        started = time.perf_counter()
        truncate_all()
        log(f"  emptied the registry and its records in {time.perf_counter() - started:.1f} s")
    generator = Generator(persons=persons, years=years, seed=seed, today=today or timezone.localdate(), log=log)
    result = generator.run()
    if vacuum:
        started = time.perf_counter()
        vacuum_analyze(result.rows)
        result.seconds["vacuum analyze"] = time.perf_counter() - started
    return result
