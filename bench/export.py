"""Benchmark of the full person export: rows per second and peak memory, measured in a process of its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_scale_20k .venv/bin/python bench/export.py

A child process sets Django up and notes its resident memory, then exports every person the federation
staff list shows, as an export job does (the admin export's registered exporter: rows from a server-side
cursor, QuerySet.iterator, streamed by core.excel.write_xlsx into a temporary file), and reports the time,
the rows, the file's size and its peak resident memory (ru_maxrss). Targets (issue #22): a million persons
in under 3 minutes, so at least 5,556 rows/s at any size, and a peak under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Measure, setup_django

TARGET_ROWS_PER_S = 1_000_000 / 180
TARGET_PEAK_MB = 300


def _rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own memory, made new by exec;
    ru_maxrss survives exec on Linux, so under bench/run.py it gave its parent's peak (207 MB "before")."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child() -> dict[str, float]:
    """Export all persons once in this process; the figures as a dict."""
    setup_django()
    from bench.registry import bench_user
    from core.excel import table, write_xlsx
    from exports.actions import CHUNK
    from exports.registry import exporter_for

    user = bench_user()
    exporter = exporter_for("services.persons")
    before = _rss_mb()
    started = time.perf_counter()
    records = exporter.records(user, {"query": ""}).iterator(chunk_size=CHUNK)
    written = []
    with write_xlsx([table(exporter.title(), exporter.columns, records)], progress=written.append) as file:
        size = file.seek(0, os.SEEK_END)
    seconds = time.perf_counter() - started
    return {"rows": written[-1], "seconds": seconds, "bytes": size, "before_mb": before, "peak_mb": _rss_mb()}


def run() -> dict[str, float]:
    """The figures of one export, from a fresh process (so its peak memory is the export's own)."""
    done = subprocess.run(
        [sys.executable, "bench/export.py", "--child"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"bench/export.py failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measures(size: str) -> list[Measure]:
    figures = run()
    rate = figures["rows"] / figures["seconds"]
    return [
        Measure(
            "full person export (.xlsx, streamed)",
            size,
            f"{figures['rows']:,} rows in {figures['seconds']:.1f} s, {rate:,.0f} rows/s, "
            f"peak {figures['peak_mb']:.0f} MB, {figures['bytes'] / 1e6:.1f} MB file",
            f"{figures['before_mb']:.0f} MB before the export",
            figures["peak_mb"] / figures["before_mb"],
            ok=rate >= TARGET_ROWS_PER_S and figures["peak_mb"] < TARGET_PEAK_MB,
            target=f">= {TARGET_ROWS_PER_S:,.0f} rows/s (1M in 3 min), peak < {TARGET_PEAK_MB} MB",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child()))
        return 0
    setup_django()
    from services.models import Person

    for measure in measures(f"{Person.objects.count():,}"):
        print(f"{measure.measure} at {measure.size}: {measure.figure} ({measure.reference}); target {measure.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
