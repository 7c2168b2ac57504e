"""Benchmark of the field app's "my street" list for the largest street, against the smallest street's.

A committee member of the street with the most persons opens /field/ (first page, by name); the
reference is the same page for the member of the smallest street, in the same run. Median of
`--requests` requests after warm-ups, and the query count (which must not grow with the street).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingan_scale_200k .venv/bin/python bench/field_list.py
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Measure, run_alone, time_page

TARGET_MS = 150.0  # issue #22: at every size
URL = "/field/"


def member_of(street):
    """The scale data's committee member of `street` (made here when the data came from elsewhere)."""
    from django.contrib.auth.models import Group

    from services.models import StreetAssignment, User
    from services.registry import roles

    user, created = User.objects.get_or_create(username=f"scale_member_{street.code}")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=roles.COMMITTEE_MEMBER))
    StreetAssignment.objects.get_or_create(user=user, street=street)
    return user


def measures(size: str, *, requests: int = 20, warmups: int = 3) -> list[Measure]:
    """The list's median latency and queries for the largest street, against the smallest street's."""
    from django.db.models import Count, Q
    from django.test import Client

    from services.models import Street

    active = Count("persons", filter=Q(persons__status="active"))
    streets = list(Street.objects.annotate(n=active).order_by("-n", "code"))
    largest, smallest = streets[0], streets[-1]
    figures = {}
    for street in (largest, smallest):
        client = Client()
        client.force_login(member_of(street))
        figures[street.pk] = time_page(client, URL, runs=requests, warmups=warmups, expect=b'<li class="card')
    (big_ms, big_q), (small_ms, small_q) = figures[largest.pk], figures[smallest.pk]
    return [
        Measure(
            f'field "my street" list, largest street ({largest.code}, {largest.n:,} active)',
            size,
            f"median {big_ms:.0f} ms, {big_q} queries",
            f"smallest street ({smallest.n:,}): {small_ms:.0f} ms, {small_q} queries",
            big_ms / small_ms,
            ok=big_ms < TARGET_MS and big_q == small_q,
            holds=big_q == small_q,
            target=f"< {TARGET_MS:.0f} ms, same queries",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    return run_alone(__doc__, argv, measures)


if __name__ == "__main__":
    sys.exit(main())
