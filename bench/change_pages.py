"""Benchmark of the staff change pages of issue #20/#22: an escort booking (open and closed), a home retrofit and a
job placement, against the plain person changelist measured in the same run.

A federation staff member (`bench_staff`, as bench/registry.py makes it) opens each page; median of `--requests`
requests after warm-ups, and the query count, which must not grow with the registry (the tests pin it:
tests/project/test_page_queries.py). Target: each page under 300 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_scale_200k .venv/bin/python bench/change_pages.py
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Measure, run_alone, time_page

TARGET_MS = 300.0
REFERENCE_URL = "/admin/services/person/"


def pages() -> list[tuple[str, str]]:
    """(label, URL) of each change page measured: the newest record of each kind, as staff meet them."""
    from django.urls import reverse

    from accessibility.models import Retrofit
    from employment.models import Placement
    from services.models import EscortBooking

    chosen = [
        (
            "escort booking, open (volunteers suggested)",
            EscortBooking.objects.filter(status=EscortBooking.Status.BOOKED).order_by("-slot__starts_at").first(),
        ),
        (
            "escort booking, closed",
            EscortBooking.objects.filter(status=EscortBooking.Status.COMPLETED).order_by("-pk").first(),
        ),
        ("home retrofit", Retrofit.objects.order_by("-pk").first()),
        ("job placement", Placement.objects.order_by("-pk").first()),
    ]
    return [
        (label, reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))
        for label, obj in chosen
        if obj is not None
    ]


def measures(size: str, *, requests: int = 20, warmups: int = 2) -> list[Measure]:
    """Each change page's median latency and queries, against the plain person changelist's."""
    from django.test import Client

    from bench.registry import bench_user

    client = Client()
    client.force_login(bench_user())
    ref_ms, ref_q = time_page(client, REFERENCE_URL, runs=requests, warmups=warmups, expect=b'id="changelist"')
    rows = []
    for label, url in pages():
        median_ms, queries = time_page(client, url, runs=requests, warmups=warmups, expect=b'id="content-main"')
        rows.append(
            Measure(
                f"admin change page: {label}",
                size,
                f"median {median_ms:.0f} ms, {queries} queries",
                f"plain person changelist: {ref_ms:.0f} ms, {ref_q} queries",
                median_ms / ref_ms,
                ok=median_ms < TARGET_MS,
                target=f"< {TARGET_MS:.0f} ms",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_alone(__doc__, argv, measures)


if __name__ == "__main__":
    sys.exit(main())
