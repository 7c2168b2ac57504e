"""What the benchmarks share: Django set-up on PostgreSQL, a measure, the table they print, a server."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measure:
    """One line of the benchmark table: a figure, the reference measured in the same run, their ratio."""

    measure: str
    size: str
    figure: str
    reference: str = ""
    ratio: float | None = None
    ok: bool | None = None  # None: no target, only information (or not judged: `run.py --check`)
    target: str = ""
    # What must hold whatever the timings (the references agree, a page answers, the same queries);
    # None when the benchmark stops itself instead. False fails `run.py --check` too.
    holds: bool | None = None


def manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py in a process of its own with `env`; return its output. Stops on failure, with its stderr."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# The static files bench/run.py collected once for every benchmark of the run (compressed as in
# production, which takes a minute of CPU): a benchmark run on its own collects its own.
SHARED_STATIC = "BENCH_STATIC_ROOT"


def collect_static(env: dict[str, str], tmp: str) -> None:
    """Set env's STATIC_ROOT to the run's collected static files, or collect them into `tmp`."""
    shared = os.environ.get(SHARED_STATIC)
    env["STATIC_ROOT"] = shared or f"{tmp}/static"
    if not shared:
        manage(env, "collectstatic", "--noinput", "-v0")


def setup_django(settings: str = "jingan_portal.settings.test") -> None:
    """Use the test settings (SECRET_KEY, ALLOWED_HOSTS) and stop unless the database is PostgreSQL."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings as django_settings

    django.setup()
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        sys.exit(f"The benchmarks need PostgreSQL (DATABASE_URL=postgres://...); the database is {engine}.")


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` when missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("The benchmarks run on PostgreSQL only: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()


def width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table_lines(rows: list[Measure]) -> list[str]:
    """The table `measure | size | figure | reference | ratio | target`, as Markdown-compatible lines."""
    header = ("measure", "size", "figure", "reference (same run)", "ratio", "target")
    cells = [
        (
            r.measure,
            r.size,
            r.figure,
            r.reference,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            "" if not r.target else f"{r.target} {_verdict(r)}",
        )
        for r in rows
    ]
    widths = [max(width(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = [header, tuple("-" * w for w in widths), *cells]
    return ["| " + " | ".join(pad(text, w) for text, w in zip(line, widths, strict=True)) + " |" for line in lines]


def _verdict(row: Measure) -> str:
    if row.holds is False:
        return "DOES NOT HOLD"
    return "not judged" if row.ok is None else "ok" if row.ok else "MISSED"


def print_table(rows: list[Measure]) -> None:
    print()
    for line in table_lines(rows):
        print(line)


def print_verdict(rows: list[Measure]) -> int:
    """Print the table; the exit status of a benchmark run alone: 1 when a target is missed."""
    print_table(rows)
    return 0 if all(r.ok is not False for r in rows) else 1


def run_alone(
    doc: str, argv: list[str] | None, measures: Callable[..., list[Measure]], *, by_year: bool = False
) -> int:
    """A page benchmark run by itself on the database as it is: `--requests` per page (and `--year`, last year
    by default, when the pages show a year), the table printed; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    if by_year:
        parser.add_argument("--year", type=int, help="the drill-down's year (default: last year)")
    args = parser.parse_args(argv)
    setup_django()
    options: dict[str, int] = {"requests": args.requests}
    if by_year:
        from django.utils import timezone

        options["year"] = args.year or timezone.localdate().year - 1
    return print_verdict(measures("", **options))


def free_port(low: int = 8100, high: int = 8149) -> int:
    """A port of the benchmarks' range (8100-8149) that nobody listens on, on 127.0.0.1."""
    for port in range(low, high + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port between {low} and {high}.")


def start_gunicorn(env: dict[str, str], port: int, workers: int, probe: str) -> subprocess.Popen:
    """Serve the portal with gunicorn on 127.0.0.1:`port`; wait until `probe` answers (30 s at most)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jingan_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not answer within 30 s")


def stop(server: subprocess.Popen) -> None:
    """Stop a server started by start_gunicorn, and wait for it."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def time_page(client, url: str, *, runs: int, warmups: int, expect: bytes) -> tuple[float, str]:
    """Median latency (ms) of `runs` GETs of `url` after `warmups`, and its query count (or range).

    Stops when the page does not answer 200 with `expect` in its body.
    """

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200 or expect not in response.content:
            sys.exit(f"GET {url} answered {response.status_code} without {expect!r}.")

    return time_call(get, runs=runs, warmups=warmups)


def time_call(call, *, runs: int, warmups: int) -> tuple[float, str]:
    """Median latency (ms) of `runs` calls of `call` (a request, which stops the run itself when it fails) after
    `warmups`, and the query count of a call (or its range)."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        call()
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries.captured_queries))
    low, high = min(counts), max(counts)
    return statistics.median(times), str(low) if low == high else f"{low}-{high}"


def change_form_data(html: str) -> dict[str, str | list[str]]:
    """What a browser posts back from an admin change page left untouched: the enabled inputs, selects and text
    areas of its form (the version token and the inlines' management forms included), without the buttons."""
    from html.parser import HTMLParser

    data: dict[str, list[str]] = {}

    class Fields(HTMLParser):
        select: str | None = None
        textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attr = dict(attrs)
            name = attr.get("name")
            if tag == "option" and self.select is not None and "selected" in attr:
                data.setdefault(self.select, []).append(attr.get("value") or "")
            if not name or "disabled" in attr:
                return
            if tag == "input":
                kind = (attr.get("type") or "text").lower()
                if kind in ("submit", "button", "image", "reset", "file"):
                    return
                if kind in ("checkbox", "radio") and "checked" not in attr:
                    return
                default = "on" if kind in ("checkbox", "radio") else ""
                data.setdefault(name, []).append(attr.get("value") or default)
            elif tag == "select":
                self.select = name
            elif tag == "textarea":
                self.textarea = name
                data.setdefault(name, []).append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, text: str) -> None:
            if self.textarea is not None:
                data[self.textarea][-1] += text.removeprefix("\n") if not data[self.textarea][-1] else text

    Fields().feed(html)
    data.pop("csrfmiddlewaretoken", None)  # the test client does not check it
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
