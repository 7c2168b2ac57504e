"""Benchmark of issue #20's staff pages: the retrofit, escort booking and home-visit lists, a report drill-down, the
log-in POST and the save of an escort booking's change page, against pages measured in the same run.

A federation staff member (`bench_staff`, as bench/registry.py makes it) opens each list (first page, as it opens)
and the drill-down of last year's escort person-visits; the reference is the plain person changelist. The log-in
POST hashes with the portal's own hashers (PASSWORD_HASHERS of jingan_portal/settings/base.py: Argon2id; the test
settings the benchmarks run under hash with MD5), for `bench_login`, against the GET of the log-in page. The save
posts the newest open booking's change form back untouched, in a transaction rolled back (nothing stays written but
the log-ins' sessions and records). Median of `--requests` requests after warm-ups, and the query count, which the
tests pin (tests/project/test_page_queries.py, tests/project/test_password_hashing.py). Target: each under 300 ms.
The GET of the escort booking change page is in change_pages.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_scale_200k .venv/bin/python bench/staff_pages.py
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Measure, change_form_data, run_alone, time_call, time_page

TARGET_MS = 300.0
REFERENCE_URL = "/admin/services/person/"
LISTS = [
    ("admin retrofit list (the inbox: needs action)", "/admin/accessibility/retrofit/"),
    ("admin escort booking list", "/admin/services/escortbooking/"),
    ("admin home-visit list", "/admin/services/homevisit/"),
]
DRILLDOWN_FIGURE = "escort_person_visits"  # the largest figure's records: every escort of the year
LOGIN_USERNAME = "bench_login"
LOGIN_PASSWORD = "bench-login-only-not-a-secret"  # a throwaway account of the benchmark databases alone


def measure(label: str, size: str, figure: tuple[float, str], reference: tuple[float, str], ref_label: str) -> Measure:
    median_ms, queries = figure
    ref_ms, ref_q = reference
    return Measure(
        label,
        size,
        f"median {median_ms:.0f} ms, {queries} queries",
        f"{ref_label}: {ref_ms:.0f} ms, {ref_q} queries",
        median_ms / ref_ms,
        ok=median_ms < TARGET_MS,
        target=f"< {TARGET_MS:.0f} ms",
    )


def login_user():
    """`bench_login`, an active account without roles, its password hashed with the portal's own first hasher."""
    from services.models import User

    user, _created = User.objects.get_or_create(username=LOGIN_USERNAME)
    user.is_active = True
    user.set_password(LOGIN_PASSWORD)
    user.save()
    return user


def login_measures(size: str, *, requests: int, warmups: int) -> list[Measure]:
    """The log-in POST with the portal's hashers, against the GET of the log-in page."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from jingan_portal.settings import base

    url = reverse("login")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        login_user()
        reference = time_page(Client(), url, runs=requests, warmups=warmups, expect=b'name="password"')

        def log_in() -> None:
            response = Client().post(url, {"username": LOGIN_USERNAME, "password": LOGIN_PASSWORD})
            if response.status_code != 302:
                sys.exit(f"POST {url} answered {response.status_code}, not the redirect of a log-in.")

        figure = time_call(log_in, runs=requests, warmups=warmups)
    return [measure("log-in POST (Argon2id)", size, figure, reference, "the log-in page's GET")]


def save_measures(size: str, client, reference: tuple[float, str], *, requests: int, warmups: int) -> list[Measure]:
    """The newest open escort booking's change form posted back untouched (rolled back), against the reference."""
    from django.db import transaction
    from django.urls import reverse

    from services.models import EscortBooking

    booking = (
        EscortBooking.objects.filter(status=EscortBooking.Status.BOOKED).order_by("-slot__starts_at").first()
        or EscortBooking.objects.order_by("-pk").first()
    )
    if booking is None:
        return []
    url = reverse("admin:services_escortbooking_change", args=[booking.pk])
    data = {**change_form_data(client.get(url).content.decode()), "_save": "Save"}

    def save() -> None:
        with transaction.atomic():
            response = client.post(url, data)
            transaction.set_rollback(True)  # the same untouched form saves again: its version token stays valid
        if response.status_code != 302:
            sys.exit(f"POST {url} answered {response.status_code}, not the redirect of a save.")

    figure = time_call(save, runs=requests, warmups=warmups)
    return [measure("admin escort booking change page: save", size, figure, reference, "plain person changelist")]


def measures(size: str, *, year: int, requests: int = 20, warmups: int = 2) -> list[Measure]:
    """Each page's median latency and queries against its reference's, measured in the same run."""
    from django.test import Client
    from django.urls import reverse

    from bench.registry import bench_user

    client = Client()
    client.force_login(bench_user())
    reference = time_page(client, REFERENCE_URL, runs=requests, warmups=warmups, expect=b'id="changelist"')
    rows = []
    for label, url in LISTS:
        figure = time_page(client, url, runs=requests, warmups=warmups, expect=b'id="changelist"')
        rows.append(measure(label, size, figure, reference, "plain person changelist"))
    drilldown = reverse("reports:records", args=[year, DRILLDOWN_FIGURE])
    figure = time_page(client, drilldown, runs=requests, warmups=warmups, expect=b"<table")
    rows.append(
        measure(f"report drill-down: escort person-visits {year}", size, figure, reference, "plain person changelist")
    )
    rows += save_measures(size, client, reference, requests=requests, warmups=warmups)
    rows += login_measures(size, requests=requests, warmups=warmups)
    return rows


def main(argv: list[str] | None = None) -> int:
    return run_alone(__doc__, argv, measures, by_year=True)


if __name__ == "__main__":
    sys.exit(main())
