"""Benchmark of the registry at scale: the Excel import and the admin person changelist.

Run from the project root against a PostgreSQL database of its own (created when missing):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_bench .venv/bin/python bench/registry.py [--persons 200000]

What it does, printing figures as it goes and a table at the end:

1. Migrates the database and fills it up to N persons (default 200,000) made by
   `services.registry.sample.sample_persons` with a fixed seed. Only missing persons are added, so a rerun
   reuses the data. Then VACUUM ANALYZE the persons table, the state autovacuum would leave it in.
2. Imports 10,000 new persons (another seed) from an in-memory .xlsx through
   `services.registry.spreadsheets.import_persons`, then the same file again (all rows unchanged), and
   finally deletes what the import wrote (persons, their history, the audit entry).
3. Requests the admin changelist as a federation staff member: searched by name, filtered by street
   and category, and plain; median and p95 latency and the query count of each. Then the query
   count of the plain changelist at 20 and at 200 rows a page.

It uses the test settings (for SECRET_KEY and ALLOWED_HOSTS) and refuses any database but
PostgreSQL. It never changes portal code or settings; `--explain` prints the plan of the slowest
query of each changelist, for whoever has to make it faster.
"""

from __future__ import annotations

import argparse
import datetime
import io
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Measure, pad, setup_django, time_page, width

if TYPE_CHECKING:
    from django.test import Client

    from services.models import Person, User

FILL_SEED = 2023  # the seed of the registry the benchmark fills
IMPORT_SEED = 4242  # the seed of the persons the import adds
FILL_BATCH = 5000
BENCH_USERNAME = "bench_staff"
IMPORT_TARGET_S = 30.0
CHANGELIST_TARGET_MS = 150.0  # issue #22: any search and two filters, at every size
CHANGELIST_URL = "/admin/services/person/"


@dataclass
class Row:
    """One line of the final table."""

    measure: str
    value: str
    target: str
    ok: bool | None  # None: no target, only information


@dataclass
class PageFigures:
    """Latency and query counts of repeated requests of one page."""

    label: str
    url: str
    times_ms: list[float]
    query_counts: list[int]
    slowest_sql: str
    slowest_ms: float

    @property
    def median_ms(self) -> float:
        """The median latency."""
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        """The 95th percentile latency (inclusive method)."""
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]

    @property
    def queries(self) -> str:
        """The query count, or its range when it varied between requests."""
        low, high = min(self.query_counts), max(self.query_counts)
        return str(low) if low == high else f"{low}-{high}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000, help="fill the registry up to this many persons")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows in the imported workbook")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per changelist")
    parser.add_argument("--warmups", type=int, default=2, help="untimed requests before them")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page's slowest query")
    return parser.parse_args(argv)


def ensure_database() -> bool:
    """Create the database named in DATABASE_URL when it is missing; True when it was created."""
    import psycopg2
    from django.conf import settings
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to `size` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def street_ids() -> list[int]:
    """The primary keys of the 14 streets, in code order."""
    from services.models import Street

    return list(Street.objects.order_by("code").values_list("pk", flat=True))


def fill(count: int) -> tuple[int, int]:
    """Add the seeded persons missing from the registry until it holds `count`; (added, total)."""
    from services.models import Person
    from services.registry.sample import sample_persons

    missing = count - Person.objects.count()
    if missing <= 0:
        return 0, Person.objects.count()
    existing = set(Person.objects.values_list("id_number", flat=True))
    fresh = (p for p in sample_persons(count, street_ids=street_ids(), seed=FILL_SEED) if p.id_number not in existing)
    added = 0
    for chunk in batched(islice(fresh, missing), FILL_BATCH):
        Person.objects.bulk_create(chunk, batch_size=FILL_BATCH, ignore_conflicts=True)
        added += len(chunk)
        if added % 50_000 == 0 or added == missing:
            print(f"  … {added:,} of {missing:,} added", flush=True)
    return added, Person.objects.count()


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the persons table, as autovacuum eventually would."""
    from django.db import connection

    from services.models import Person

    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM (ANALYZE) "{Person._meta.db_table}"')


def bench_user() -> User:
    """A federation staff member with admin access, created on the first run."""
    from django.contrib.auth.models import Group

    from services.models import User
    from services.registry import roles

    user, created = User.objects.get_or_create(username=BENCH_USERNAME)
    if created:
        user.set_unusable_password()
    user.is_staff = True
    user.is_active = True
    user.save()
    user.groups.set([Group.objects.get(name=roles.STAFF)])
    return user


def new_persons(count: int) -> list[Person]:
    """`count` persons of the import seed whose ID numbers are not in the registry yet."""
    from services.models import Person
    from services.registry.sample import sample_persons

    candidates = list(sample_persons(count + count // 10 + 100, street_ids=street_ids(), seed=IMPORT_SEED))
    taken: set[str] = set()
    for chunk in batched([p.id_number for p in candidates], 5000):
        taken.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", flat=True))
    fresh = [p for p in candidates if p.id_number not in taken][:count]
    if len(fresh) < count:
        sys.exit(f"Only {len(fresh)} new persons could be made for the import; {count} wanted.")
    return fresh


def _first_word(words: dict[str, Any]) -> dict[Any, str]:
    """Invert a word → value map of the import, keeping the first word of each value."""
    inverted: dict[Any, str] = {}
    for word, value in words.items():
        inverted.setdefault(value, word)
    return inverted


def workbook(persons: list[Person]) -> bytes:
    """An .xlsx with the import's Chinese headers and one row per person, written as staff would."""
    from openpyxl import Workbook

    from services.models import Street
    from services.registry import spreadsheets

    street_names = dict(Street.objects.values_list("pk", "name_zh"))
    category = _first_word(spreadsheets.CATEGORY_WORDS)
    grade = _first_word(spreadsheets.GRADE_WORDS)
    status = _first_word(spreadsheets.STATUS_WORDS)
    consent = _first_word(spreadsheets.CONSENT_WORDS)
    cell: dict[str, Callable[[Person], Any]] = {
        "category": lambda p: category[p.category],
        "grade": lambda p: grade[p.grade],
        "street": lambda p: street_names[p.street_id],
        "lives_alone": lambda p: "是" if p.lives_alone else "否",
        "status": lambda p: status[p.status],
        "consent_basis": lambda p: consent[p.consent_basis],
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员名册")
    sheet.append([c.header for c in spreadsheets.COLUMNS])
    for person in persons:
        sheet.append([cell.get(c.field, lambda p, f=c.field: getattr(p, f))(person) for c in spreadsheets.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def remove_imported(by: User) -> int:
    """Delete the persons an earlier, interrupted import wrote as `by`, and their history rows.

    Audit entries stay: the database refuses to delete them (services_log_guard), and a benchmark must not
    need what the portal may not do. The imports below run in a transaction that is rolled back instead.
    """
    from django.test.utils import override_settings

    from services.models import Person

    ids = list(Person.objects.filter(consent_recorded_by=by).values_list("pk", flat=True))
    # Without this, deleting would write a "-" history row per person, only to be deleted below.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for chunk in batched(ids, 5000):
            Person.objects.filter(pk__in=chunk).delete()
    for chunk in batched(ids, 5000):
        Person.history.model.objects.filter(id__in=chunk).delete()
    return len(ids)


def timed_import(data: bytes, by: User) -> tuple[float, Any]:
    """Run the real import once; (seconds, ImportResult). Stops on import errors."""
    from services.registry.spreadsheets import import_persons

    started = time.perf_counter()
    result = import_persons(data=data, by=by)
    seconds = time.perf_counter() - started
    if not result.ok:
        for error in result.errors[:10]:
            print(f"  row {error.row}, {error.column}: {error.message}")
        sys.exit(f"The import refused the workbook ({len(result.errors)} errors).")
    return seconds, result


def measure_page(client: Client, label: str, url: str, *, warmups: int, runs: int) -> PageFigures:
    """Request `url` `warmups` times untimed, then `runs` times timed, counting queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        _get_ok(client, url)
    times: list[float] = []
    counts: list[int] = []
    slowest: dict[str, str] = {"sql": "", "time": "0"}
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            _get_ok(client, url)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries.captured_queries))
        worst = max(queries.captured_queries, key=lambda q: float(q["time"]))
        if float(worst["time"]) > float(slowest["time"]):
            slowest = worst
    return PageFigures(label, url, times, counts, slowest["sql"], float(slowest["time"]) * 1000)


def _get_ok(client: Client, url: str) -> None:
    """GET `url` and stop unless it is a changelist page."""
    response = client.get(url)
    if response.status_code != 200 or b'id="changelist"' not in response.content:
        sys.exit(f"GET {url} answered {response.status_code}, not the changelist.")


def count_queries(client: Client, url: str) -> int:
    """The number of queries of one request of `url`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _get_ok(client, url)
    return len(queries.captured_queries)


def queries_per_page_size(client: Client, sizes: tuple[int, ...]) -> dict[int, int]:
    """The plain changelist's query count at each of `sizes` rows per page."""
    from django.contrib import admin

    from services.models import Person

    person_admin = admin.site._registry[Person]
    original = person_admin.list_per_page
    counts = {}
    try:
        for size in sizes:
            person_admin.list_per_page = size
            _get_ok(client, CHANGELIST_URL)  # warm-up at this size
            counts[size] = count_queries(client, CHANGELIST_URL)
    finally:
        person_admin.list_per_page = original
    return counts


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured query."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def print_table(rows: list[Row]) -> None:
    """The final table: measure | value | target | ok?"""
    header = ("measure", "value", "target", "ok?")
    cells = [(r.measure, r.value, r.target, "—" if r.ok is None else ("yes" if r.ok else "NO")) for r in rows]
    widths = [max(width(line[i]) for line in [header, *cells]) for i in range(4)]
    print()
    for line in [header, tuple("-" * w for w in widths), *cells]:
        print(" | ".join(pad(text, columns) for text, columns in zip(line, widths, strict=True)))


def run_fill(persons: int, rows: list[Row]) -> None:
    """Step 1: migrate, fill up to `persons`, vacuum."""
    from django.core.management import call_command

    if ensure_database():
        print("Created the database.")
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    added, total = fill(persons)
    fill_s = time.perf_counter() - started
    print(f"fill: added {added:,} persons in {fill_s:.1f} s; the registry holds {total:,}")
    rows.append(Row(f"fill to {persons:,} persons (added {added:,})", f"{fill_s:.1f} s", "", None))


def run_import(count: int, by: User, rows: list[Row]) -> None:
    """Step 2: import `count` new rows and re-import them unchanged, in a transaction rolled back after."""
    from django.db import transaction

    leftover = remove_imported(by)
    if leftover:
        print(f"removed {leftover:,} persons left by an earlier, interrupted run")
    persons = new_persons(count)
    data = workbook(persons)
    print(f"workbook: {count:,} rows, {len(data) / 1024 / 1024:.1f} MB")
    with transaction.atomic():  # measured, then rolled back: the database refuses to delete audit entries
        seconds, result = timed_import(data, by)
        ok = seconds < IMPORT_TARGET_S and result.created == count
        print(f"import {count:,} rows: {seconds:.1f} s (target < {IMPORT_TARGET_S:.0f} s); created {result.created:,}")
        rows.append(Row(f"import {count:,} new rows", f"{seconds:.1f} s, {result.created:,} created", "< 30 s", ok))
        seconds, result = timed_import(data, by)
        ok = seconds < IMPORT_TARGET_S and result.unchanged == count
        print(
            f"re-import the same {count:,} rows: {seconds:.1f} s; "
            f"{result.created} created, {result.updated} updated, {result.unchanged:,} unchanged"
        )
        rows.append(
            Row(
                f"re-import the same {count:,} rows",
                f"{seconds:.1f} s, {result.unchanged:,} unchanged",
                "< 30 s, all unchanged",
                ok,
            )
        )
        transaction.set_rollback(True)


def run_changelist(by: User, args: argparse.Namespace, rows: list[Row]) -> None:
    """Step 3: time the changelist searched, filtered and plain; compare query counts by page size."""
    from django.test import Client

    from services.models import Person, Street

    client = Client()
    client.force_login(by)
    street = Street.objects.order_by("code").first()
    pages = [
        ("search ?q=王", f"{CHANGELIST_URL}?q=%E7%8E%8B", Person.objects.filter(name__icontains="王")),
        (
            f"filter street={street.code} & category=2",
            f"{CHANGELIST_URL}?street__id__exact={street.pk}&category__exact=2",
            Person.objects.filter(street=street, category=2),
        ),
        ("plain", CHANGELIST_URL, Person.objects.all()),
    ]
    print(f"changelist as {BENCH_USERNAME} (federation_staff), {args.warmups} warm-ups, {args.requests} requests each")
    for label, url, matching in pages:
        figures = measure_page(client, label, url, warmups=args.warmups, runs=args.requests)
        print(
            f"  {pad(label, 40)} median {figures.median_ms:6.1f} ms  p95 {figures.p95_ms:6.1f} ms  "
            f"{figures.queries} queries  ({matching.count():,} matching persons)"
        )
        print(f"    slowest query {figures.slowest_ms:.1f} ms: {figures.slowest_sql[:160]}…")
        if args.explain:
            print("    " + explain(figures.slowest_sql).replace("\n", "\n    "))
        rows.append(
            Row(
                f"changelist {label}",
                f"median {figures.median_ms:.0f} ms, p95 {figures.p95_ms:.0f} ms, {figures.queries} queries",
                f"median < {CHANGELIST_TARGET_MS:.0f} ms",
                figures.median_ms < CHANGELIST_TARGET_MS,
            )
        )
    counts = queries_per_page_size(client, (20, 200))
    print(f"  plain changelist queries: {counts[20]} at 20 a page, {counts[200]} at 200 a page")
    rows.append(
        Row(
            "changelist queries, 20 vs 200 a page",
            f"{counts[20]} vs {counts[200]}",
            "independent of page size",
            counts[20] == counts[200],
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Run the three steps and print the table; 1 when a target is missed."""
    args = parse_args(argv)
    setup_django()
    from django.db import connection

    print(f"database {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    print(f"started {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M:%S} UTC")
    rows: list[Row] = []
    run_fill(args.persons, rows)
    started = time.perf_counter()
    vacuum_analyze()
    print(f"VACUUM ANALYZE persons: {time.perf_counter() - started:.1f} s")
    by = bench_user()
    run_import(args.import_rows, by, rows)
    vacuum_analyze()  # the import's insert and delete leave dead rows; autovacuum would clear them
    run_changelist(by, args, rows)
    print_table(rows)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())


def measures(size: str, *, import_rows: int = 10_000, requests: int = 20, warmups: int = 2) -> list[Measure]:
    """For bench/run.py, on the registry as it is: the import against a bulk insert of the same rows, and
    the changelist searched and filtered against the plain changelist."""
    from django.db import transaction
    from django.test import Client

    from services.models import Person, Street

    by = bench_user()
    remove_imported(by)
    persons = new_persons(import_rows)
    data = workbook(persons)
    with transaction.atomic():  # the reference: the same persons written by one bulk insert, then undone
        started = time.perf_counter()
        Person.objects.bulk_create(persons, batch_size=FILL_BATCH)
        insert_s = time.perf_counter() - started
        transaction.set_rollback(True)
    with transaction.atomic():  # the import, measured and then undone the same way: nothing to delete after
        import_s, result = timed_import(data, by)
        transaction.set_rollback(True)
    vacuum_analyze()
    rows = [
        Measure(
            f"import {import_rows:,} new rows (.xlsx)",
            size,
            f"{import_s:.1f} s, {result.created:,} created",
            f"bulk insert of the same rows: {insert_s:.2f} s",
            import_s / insert_s,
            ok=import_s < IMPORT_TARGET_S and result.created == import_rows,
            holds=result.created == import_rows,
            target=f"< {IMPORT_TARGET_S:.0f} s",
        )
    ]
    client = Client()
    client.force_login(by)
    street = Street.objects.order_by("code").first()
    searched = f"{CHANGELIST_URL}?q=%E7%8E%8B&street__id__exact={street.pk}&category__exact=2"
    expect = b'id="changelist"'
    median_ms, queries = time_page(client, searched, runs=requests, warmups=warmups, expect=expect)
    plain_ms, plain_queries = time_page(client, CHANGELIST_URL, runs=requests, warmups=warmups, expect=expect)
    rows.append(
        Measure(
            "admin person changelist: search 王 + street + category filters",
            size,
            f"median {median_ms:.0f} ms, {queries} queries",
            f"plain changelist: {plain_ms:.0f} ms, {plain_queries} queries",
            median_ms / plain_ms,
            # The list counts only up to a bound (core.pagination): searched or not, the same queries at any size.
            ok=median_ms < CHANGELIST_TARGET_MS and queries == plain_queries,
            target=f"< {CHANGELIST_TARGET_MS:.0f} ms, same queries as plain",
        )
    )
    return rows
