"""Every benchmark under bench/ at each registry size, printed as ONE table (`make bench`).

For each size (BENCH_SIZES or --sizes, default "20000 200000") it uses a PostgreSQL database of its
own, `jingan_scale_<size>` (20000 → jingan_scale_20k), created and migrated when missing. The data
comes from `manage.py generate_scale --persons SIZE --years 10 --seed 2023`; a database already
generated with the same size, years and seed is reused, any other is emptied and generated again.
Each size runs in its own process (Django is set up once per database) and hands its measures back
as JSON; the page-weight check, which has its own throwaway database, runs once.

    .venv/bin/python bench/run.py [--sizes "20000 200000"] [--markdown bench/last-run.md]
    .venv/bin/python bench/run.py --check --sizes 3000     # make bench-check, in .ci/run

Measures (BENCHMARKS, then the page weight): the annual report job for last year against the
hand-written SQL statement of the same figures and breakdowns (annual_report.py), the 10,000-row
import and the admin person changelist (registry.py), the field "my street" list (field_list.py),
the staff change pages (change_pages.py), issue #20's staff lists, drill-down, log-in and booking save
(staff_pages.py), the full person export's rows/s and peak memory (export.py),
/events/ and an event page against a trivial view under gunicorn (events_pages.py) and the visit
form's weight on a phone (field_page_weight.py). bench/load.py is not part of it. The machine's load
(uptime) is printed with each benchmark, since the figures depend on it. --check runs each once,
briefly, and fails only on a crash or on what must hold whatever the timings (bench/README.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import annual_report, change_pages, events_pages, export, field_list, registry, staff_pages  # noqa: E402
from bench.common import SHARED_STATIC, Measure, ensure_database, manage, print_table, table_lines  # noqa: E402

DEFAULT_SIZES = "20000 200000"
YEARS = 10
SEED = 2023
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(size: int) -> str:
    """The URL of the size's own database, on the server of DATABASE_URL (or the local one)."""
    parsed = urlparse(os.environ.get("BENCH_DATABASE_SERVER") or os.environ.get("DATABASE_URL") or SERVER)
    name = f"jingan_scale_{size // 1000}k" if size % 1000 == 0 else f"jingan_scale_{size}"
    return urlunparse(parsed._replace(path=f"/{name}"))


def load() -> str:
    """The load averages of the machine (1, 5, 15 minutes)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def prepare(size: int) -> str:
    """Migrate, and generate the size's data unless the database already holds it. Returns what was done."""
    from django.core.management import call_command

    from reports.scale import stamp

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    done = stamp() or {}
    same = (done.get("persons"), done.get("years"), done.get("seed")) == (size, YEARS, SEED)
    # Data made in another year lacks most of "last year", the year the report job is measured on.
    if same and str(done.get("today", ""))[:4] == str(timezone.localdate().year):
        return f"reused ({size:,} persons, {YEARS} years, seed {SEED}, generated {done.get('today')})"
    started = time.perf_counter()
    call_command("generate_scale", persons=size, years=YEARS, seed=SEED, force=bool(done) or _has_persons())
    return f"generated in {time.perf_counter() - started:.0f} s"


def _has_persons() -> bool:
    from services.models import Person

    return Person.objects.exists()


def upcoming_event_path() -> str:
    """The page of a published upcoming event, as the public sees it (one is made if there is none)."""
    import datetime

    from django.utils import timezone

    from events.models import Event

    now = timezone.now()
    event = Event.objects.filter(is_published=True, status="scheduled", starts_at__gt=now).order_by("starts_at").first()
    if event is None:
        event = Event.objects.create(
            title="基准测试活动",
            slug="bench-upcoming-event",
            category=Event.Category.CULTURE,
            summary="欢迎残疾朋友和家属参加。",
            starts_at=now + datetime.timedelta(days=7),
            ends_at=now + datetime.timedelta(days=7, hours=2),
            venue="静安区文化馆",
            address="静安区乌鲁木齐北路459号",
            capacity=50,
            is_published=True,
        )
    return f"/events/{event.slug}/"


@dataclass(frozen=True)
class Run:
    """What each benchmark of one size is given: the size, its database, and how long to measure."""

    size: int
    label: str  # the size as the table prints it, "20,000"
    database_url: str
    year: int  # the report's year: last year, the last the data has whole
    rounds: int
    requests: int
    seconds: int
    import_rows: int


# Every benchmark run at each size, in the table's order: (what it measures, how it is run). Adding one
# is one line here; it stops (SystemExit) when its references disagree, whatever the timings.
BENCHMARKS: list[tuple[str, Callable[[Run], list[Measure]]]] = [
    ("annual report job", lambda run: annual_report.measure(size=run.label, year=run.year, rounds=run.rounds)),
    (
        "import and changelist",
        lambda run: registry.measures(run.label, import_rows=run.import_rows, requests=run.requests),
    ),
    ("field list", lambda run: field_list.measures(run.label, requests=run.requests)),
    ("change pages", lambda run: change_pages.measures(run.label, requests=run.requests)),
    ("staff pages", lambda run: staff_pages.measures(run.label, year=run.year, requests=run.requests)),
    ("person export", lambda run: export.measures(run.label)),
    (
        "events pages",
        lambda run: events_pages.measures(
            run.database_url, run.label, event_path=upcoming_event_path(), seconds=run.seconds, rounds=run.rounds
        ),
    ),
]


def child(size: int, out: Path, args: argparse.Namespace) -> None:
    """Run every benchmark of BENCHMARKS at `size` and write the measures to `out` as JSON."""
    from bench.common import setup_django

    url = database_url(size)
    os.environ["DATABASE_URL"] = url
    setup_django()
    from django.utils import timezone

    run = Run(
        size=size,
        label=f"{size:,}",
        database_url=url,
        year=timezone.localdate().year - 1,
        rounds=args.rounds,
        requests=args.requests,
        seconds=args.seconds,
        import_rows=args.import_rows,
    )
    print(f"== {run.label} persons: database {urlparse(url).path.lstrip('/')}, load {load()}", flush=True)
    print(f"   data: {prepare(size)}", flush=True)
    rows: list[Measure] = []
    for name, benchmark in BENCHMARKS:
        started = time.perf_counter()
        rows += benchmark(run)
        print(f"   {name}: done in {time.perf_counter() - started:.0f} s; load {load()}", flush=True)
    out.write_text(json.dumps([dataclasses.asdict(r) for r in rows]))


def collect_static_once(root: str) -> None:
    """Collect the static files into `root` for every benchmark that serves pages (SHARED_STATIC)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 30,
        "DEBUG": "false",
        "STATIC_ROOT": root,
    }
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ[SHARED_STATIC] = root


def run_sizes(sizes: list[int], args: argparse.Namespace) -> tuple[list[Measure] | None, list[str]]:
    """Every benchmark at each size, each size in a process of its own; (measures or None on a failure, loads)."""
    rows: list[Measure] = []
    loads = []
    for size in sizes:
        ensure_database(database_url(size))
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            forwarded = ["--rounds", str(args.rounds), "--requests", str(args.requests), "--seconds", str(args.seconds)]
            forwarded += ["--import-rows", str(args.import_rows)]
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--out", out.name, *forwarded], cwd=ROOT, check=False
            )
            if done.returncode:
                print(f"The benchmarks at {size:,} persons failed (exit {done.returncode}).")
                return None, loads
            rows += [Measure(**r) for r in json.loads(Path(out.name).read_text())]
        loads.append(f"{size:,}: {load()}")
    return rows, loads


# --check (`make bench-check`, run by .ci/run): every benchmark once at a small size, so that none can
# break unseen. It fails when a benchmark crashes or what must hold whatever the timings does not (the
# job and the hand-written statement agree, a page answers, the same queries...); timings are not judged.
CHECK = {"sizes": "3000", "rounds": 1, "requests": 1, "seconds": 1, "import_rows": 100}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help=f"default: BENCH_SIZES, else {DEFAULT_SIZES!r}; with --check {CHECK['sizes']}")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the job and of the gunicorn pages")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per in-process page")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per URL and round with wrk")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--skip-page-weight", action="store_true", help="skip the Chromium page-weight check")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--check", action="store_true", help="each benchmark once, briefly: fail on a crash or a disagreement only"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.out, args)
        return 0
    if args.check:
        args.sizes = args.sizes or CHECK["sizes"]
        args.rounds, args.requests, args.seconds = CHECK["rounds"], CHECK["requests"], CHECK["seconds"]
        args.import_rows = CHECK["import_rows"]
    args.sizes = args.sizes or os.environ.get("BENCH_SIZES") or DEFAULT_SIZES

    sizes = [int(s) for s in args.sizes.replace(",", " ").split()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static:
        collect_static_once(static)
        rows, loads = run_sizes(sizes, args)
        if rows is None:
            return 1
        if not args.skip_page_weight:
            from bench import field_page_weight

            rows += field_page_weight.measures()
    rows.sort(key=lambda r: (r.measure, _size_key(r.size)))
    if args.check:  # one brief round on a busy CI server: its timings say nothing
        rows = [dataclasses.replace(r, ok=None) for r in rows]
    print_table(rows)
    print(f"\nload average after each size: {'; '.join(loads)}")
    if args.markdown:
        args.markdown.write_text("\n".join(table_lines(rows)) + "\n")
    broken = [r.measure for r in rows if r.holds is False]
    missed = [r.measure for r in rows if r.ok is False]
    for measure in broken:
        print(f"does not hold: {measure}")
    if missed:
        print(f"targets missed: {len(missed)}")
    if args.check and not broken:
        print(
            f"check: {len(rows)} measures of {len(BENCHMARKS)} benchmarks"
            f"{'' if args.skip_page_weight else ' and the page weight'} ran at {args.sizes} persons in "
            f"{time.perf_counter() - started:.0f} s, their references agree (timings not judged)"
        )
    return 1 if missed or broken else 0


def _size_key(size: str) -> int:
    digits = size.replace(",", "")
    return int(digits) if digits.isdigit() else 0


if __name__ == "__main__":
    sys.exit(main())
