"""Requests per second and p95 latency of the public event list beside a trivial view, served by gunicorn.

    .venv/bin/python bench/events_pages.py [--events 2000] [--seconds 10] [--connections 16]

- Uses a PostgreSQL database of its own (DATABASE_URL, default jingan_bench_events on 127.0.0.1,
  created when missing), migrated and filled once with --events published events to come (and a few
  registrations each); later runs reuse them.
- Serves the portal with gunicorn on 127.0.0.1 as in production: DEBUG off, a SECRET_KEY,
  ALLOWED_HOSTS=127.0.0.1, WhiteNoise's collected static files, and REDIS_URL (default
  redis://127.0.0.1:6379/7) so the public-page cache is Redis. The only addition is a trivial view
  (`/bench/trivial`, "ok" through the whole middleware stack), from a settings module and URLconf
  written into a temporary folder; the portal's code and settings are not changed.
- Loads each URL for a fixed time with `wrk` (Debian package) when installed, else for a fixed
  number of requests from a Python thread pool, in rounds that alternate the trivial view and
  /events/ (a busy machine then slows both alike), and prints requests/s, p50 and p95 for the trivial
  view, /healthz and /events/ (anonymous, so from the cache once warm), and /events/ with the cache
  turned off (EVENTS_PUBLIC_CACHE_SECONDS=0, a second server) for comparison.
- Target: /events/ serves at least half the requests per second of the trivial view (ratio >= 0.5).
  Exits 1 when missed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jingan_bench_events"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
TARGET_RATIO = 0.5
SLUG_PREFIX = "bench-event-"

SETTINGS = """
from jingan_portal.settings.base import *  # noqa: F403
ROOT_URLCONF = "bench_events_urls"
"""
URLCONF = """
from django.http import HttpResponse
from django.urls import path

from jingan_portal.urls import urlpatterns as portal

def trivial(request):
    return HttpResponse("ok", content_type="text/plain")

urlpatterns = [path("bench/trivial", trivial), *portal]
"""
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.3f %.3f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


@dataclass
class Result:
    label: str
    url: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    errors: int
    tool: str


def served_from(tmp: str, database: str) -> tuple[dict[str, str], Path]:
    """Write the settings, URLconf and wrk script into `tmp`; the server's environment and the script."""
    Path(tmp, "bench_events_settings.py").write_text(SETTINGS)
    Path(tmp, "bench_events_urls.py").write_text(URLCONF)
    script = Path(tmp, "p95.lua")
    script.write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_events_settings",
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 30,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("REDIS_URL", DEFAULT_REDIS),
        "STATIC_ROOT": f"{tmp}/static",
        "LOG_LEVEL": "WARNING",
    }
    return env, script


FILL = """
import datetime, random
from django.utils import timezone
from events.models import Event, PROVISION_NAMES, Registration
from events.caching import public_pages_changed
wanted = {events}
have = Event.objects.filter(slug__startswith="{prefix}").count()
rng = random.Random(2023)
now = timezone.now().replace(minute=0, second=0, microsecond=0)
categories = [c for c, _l in Event.Category.choices]
new = []
for n in range(have, wanted):
    start = now + datetime.timedelta(hours=6 + n * 5)
    fields = {{name: rng.random() < 0.4 for name in PROVISION_NAMES if name != "easy_read"}}
    new.append(Event(
        title=f"基准测试活动 {{n:04d}}", slug=f"{prefix}{{n:04d}}", category=rng.choice(categories),
        summary="欢迎残疾朋友和家属参加，现场提供无障碍服务。", description="活动**介绍**。",
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), venue="静安区文化馆",
        address="静安区乌鲁木齐北路459号", capacity=rng.choice([20, 40, 80]), is_published=True, **fields))
Event.objects.bulk_create(new, batch_size=1000)
if not Registration.objects.filter(event__slug__startswith="{prefix}").exists():
    rows = []
    for event in Event.objects.filter(slug__startswith="{prefix}").order_by("id"):
        for k in range(rng.randrange(0, 12)):
            phone = f"139{{event.pk % 10**5:05d}}{{k:03d}}"
            rows.append(Registration(event=event, source="public", name="参加者", phone=phone,
                                     status="confirmed", consented_at=now))
    Registration.objects.bulk_create(rows, batch_size=5000)
public_pages_changed()
print(Event.objects.filter(is_published=True, ends_at__gt=timezone.now()).count(), Registration.objects.count())
"""


def with_wrk(label: str, url: str, seconds: int, connections: int, script: Path) -> Result:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    match = re.search(r"BENCH (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)", done.stdout)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if not (match and rate):
        raise SystemExit(f"could not read wrk's output:\n{done.stdout}")
    _total, status_errors, socket_errors, p50, p95 = match.groups()
    return Result(
        label, url, float(rate.group(1)), float(p50), float(p95), int(status_errors) + int(socket_errors), "wrk"
    )


def with_python(label: str, url: str, requests: int, connections: int) -> Result:
    """A bounded number of requests from a thread pool; each request opens its own connection."""

    def one(_n: int) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        results = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    times = sorted(t for t, _ok in results)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    errors = sum(1 for _t, ok in results if not ok)
    return Result(label, url, requests / elapsed, statistics.median(times), p95, errors, "python threads")


def median_result(results: list[Result]) -> Result:
    """The median of each figure over rounds of the same page."""
    first = results[0]
    return Result(
        first.label,
        first.url,
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p95_ms for r in results),
        sum(r.errors for r in results),
        first.tool,
    )


def measure(label: str, url: str, args: argparse.Namespace, script: Path) -> Result:
    for _ in range(20):  # warm up: connections, the cache, Python's imports
        urllib.request.urlopen(url, timeout=10).read()
    if shutil.which("wrk") and not args.python_client:
        return with_wrk(label, url, args.seconds, args.connections, script)
    return with_python(label, url, args.requests, args.connections)


def main() -> int:
    from bench.common import ensure_database, free_port, manage, start_gunicorn, stop

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=5, help="seconds per URL and round with wrk")
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating the trivial view and /events/")
    parser.add_argument("--requests", type=int, default=2000, help="requests per URL and round, Python client")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is there")
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    ensure_database(database)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        env, script = served_from(tmp, database)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        upcoming, registrations = manage(
            env, "shell", "-c", FILL.format(events=args.events, prefix=SLUG_PREFIX)
        ).split()[-2:]
        print(f"database: {upcoming} published events to come, {registrations} registrations")
        print(f"server: gunicorn, {args.workers} workers, DEBUG off, cache {env['REDIS_URL']} (Redis)")

        results: list[Result] = []
        port = free_port()
        server = start_gunicorn(env, port, args.workers, "/bench/trivial")
        try:
            base = f"http://127.0.0.1:{port}"
            body = urllib.request.urlopen(f"{base}/events/", timeout=10).read().decode()
            assert 'class="event-card' in body, "the event list shows no events"
            # Rounds that alternate the pages, so a busy machine slows each of them alike.
            rounds = []
            for _round in range(args.rounds):
                rounds.append(
                    (
                        measure("trivial view", f"{base}/bench/trivial", args, script),
                        measure("/events/ (cached)", f"{base}/events/", args, script),
                    )
                )
            results.extend(median_result(list(column)) for column in zip(*rounds, strict=True))
            ratios = [events.requests_per_second / trivial.requests_per_second for trivial, events in rounds]
            results.append(measure("/healthz", f"{base}/healthz", args, script))
        finally:
            stop(server)
        uncached_port = free_port()
        server = start_gunicorn(
            {**env, "EVENTS_PUBLIC_CACHE_SECONDS": "0"}, uncached_port, args.workers, "/bench/trivial"
        )
        try:
            results.append(measure("/events/ (cache off)", f"http://127.0.0.1:{uncached_port}/events/", args, script))
        finally:
            stop(server)

    print()
    print(f"{'page':<22} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}  client")
    for r in results:
        print(f"{r.label:<22} {r.requests_per_second:>11.0f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.errors:>7}  {r.tool}")
    trivial, cached, health, uncached = results
    ratio = statistics.median(ratios)
    print()
    print("ratio in each round: " + ", ".join(f"{r:.2f}" for r in ratios))
    verdict = "ok" if ratio >= TARGET_RATIO else "MISSED"
    print(f"/events/ (cached) / trivial view, median of rounds: {ratio:.2f} (target >= {TARGET_RATIO}): {verdict}")
    print(
        f"/events/ with the cache off / trivial view: {uncached.requests_per_second / trivial.requests_per_second:.2f}"
    )
    if health.errors:
        print(f"/healthz answered {health.errors} requests with an error (liveness: it calls no backend)")
    errors = sum(r.errors for r in (trivial, cached, uncached))
    if errors:
        print(f"errors on the measured pages: {errors}")
    return 0 if ratio >= TARGET_RATIO and not errors else 1


if __name__ == "__main__":
    sys.exit(main())


def measures(
    database_url: str,
    size: str,
    *,
    event_path: str,
    seconds: int = 5,
    rounds: int = 3,
    connections: int = 16,
    workers: int = 2,
) -> list:
    """For bench/run.py, on the database as it is: /events/ and `event_path` against a trivial view.

    gunicorn (`workers`, DEBUG off, Redis cache) on 127.0.0.1 in the benchmarks' port range; rounds
    alternate the three URLs, and each ratio is the median of the rounds' ratios.
    """
    from bench.common import Measure, collect_static, free_port, start_gunicorn, stop

    # Without wrk (Debian's package), a number of requests instead, as many as `seconds` asks of wrk.
    args = argparse.Namespace(seconds=seconds, requests=200 * seconds, connections=connections, python_client=False)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        env, script = served_from(tmp, database_url)
        collect_static(env, tmp)
        port = free_port()
        server = start_gunicorn(env, port, workers, "/bench/trivial")
        base = f"http://127.0.0.1:{port}"
        pages = [("trivial view", "/bench/trivial"), ("/events/", "/events/"), ("an event page", event_path)]
        try:
            body = urllib.request.urlopen(f"{base}/events/", timeout=10).read().decode()
            assert 'class="event-card' in body, "the event list shows no events"
            rounds_results = [
                [measure(label, f"{base}{path}", args, script) for label, path in pages] for _ in range(rounds)
            ]
        finally:
            stop(server)
        # The same pages with the page cache off: what each request costs the database at this size.
        port = free_port()
        server = start_gunicorn({**env, "EVENTS_PUBLIC_CACHE_SECONDS": "0"}, port, workers, "/bench/trivial")
        try:
            uncached = [measure(label, f"http://127.0.0.1:{port}{path}", args, script) for label, path in pages[1:]]
        finally:
            stop(server)
    rows = []
    trivial = median_result([r[0] for r in rounds_results])
    for (label, _path), page in zip(pages[1:], uncached, strict=True):
        rows.append(
            Measure(
                f"{label} under gunicorn, page cache off, requests/s",
                size,
                f"{page.requests_per_second:,.0f}/s, p95 {page.p95_ms:.0f} ms"
                + (f", {page.errors} errors" if page.errors else ""),
                f"trivial view: {trivial.requests_per_second:,.0f}/s",
                page.requests_per_second / trivial.requests_per_second,
            )
        )
    for column, (label, _path) in enumerate(pages[1:], start=1):
        ratios = [r[column].requests_per_second / r[0].requests_per_second for r in rounds_results]
        page = median_result([r[column] for r in rounds_results])
        trivial = median_result([r[0] for r in rounds_results])
        errors = page.errors + trivial.errors
        rows.append(
            Measure(
                f"{label} under gunicorn ({workers} workers, {page.tool}, page cache on), requests/s",
                size,
                f"{page.requests_per_second:,.0f}/s, p95 {page.p95_ms:.0f} ms"
                + (f", {errors} errors" if errors else ""),
                f"trivial view: {trivial.requests_per_second:,.0f}/s",
                statistics.median(ratios),
                ok=statistics.median(ratios) >= TARGET_RATIO and not errors,
                holds=not errors,
                target=f">= {TARGET_RATIO}",
            )
        )
    return rows
