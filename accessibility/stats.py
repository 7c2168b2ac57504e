"""Figures of the annual report for accessibility, each computed by the database.

Every function takes the year and, optionally, a user: without one it counts the whole district
(the report job); with one, only the streets that user may see.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Func, IntegerField, Q, QuerySet

from services.models import Street
from services.scoping import sees_all_streets, street_ids_for

from .models import DeviceIssue, RampRetrofit, Retrofit, SignLanguagePoint


def _scoped(queryset: QuerySet, user: Any | None) -> QuerySet:
    return queryset if user is None else queryset.visible_to(user)


class DaysBetween(Func):
    """Whole days from the second date to the first."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date - date is an integer number of days

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class Median(Aggregate):
    """The continuous median (PostgreSQL's percentile_cont(0.5)), interpolating between the middle two."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


@dataclass(frozen=True)
class AcceptedRetrofits:
    """Home retrofits accepted (jointly signed off) in a year."""

    total: int
    by_type: dict[str, int] = field(default_factory=dict)
    by_street: dict[str, int] = field(default_factory=dict)  # street code → cases; streets with none left out


def accepted_retrofits(year: int, *, user: Any | None = None) -> QuerySet[Retrofit]:
    """The cases accepted in `year`: status accepted or followed up, acceptance dated in the year."""
    return _scoped(Retrofit.objects.all(), user).filter(status__in=Retrofit.DONE, accepted_on__year=year)


def retrofits_accepted_in(year: int, *, user: Any | None = None) -> AcceptedRetrofits:
    """Cases accepted in `year`, in all, by type and by street code (two queries)."""
    cases = accepted_retrofits(year, user=user)
    by_type = cases.aggregate(
        **{value: Count("pk", filter=Q(type=value)) for value in Retrofit.Type.values},
    )
    by_street = dict(cases.order_by("street__code").values_list("street__code").annotate(n=Count("pk")))
    return AcceptedRetrofits(total=sum(by_type.values()), by_type=by_type, by_street=by_street)


def median_days_to_acceptance(year: int, *, user: Any | None = None) -> float | None:
    """The median number of days from application to acceptance of the cases accepted in `year`.

    PostgreSQL computes percentile_cont(0.5). SQLite has no such aggregate: there the database orders
    the day counts and returns only the middle one or two, whose mean is the same continuous median.
    None when no case was accepted.
    """
    days = accepted_retrofits(year, user=user).annotate(days=DaysBetween("accepted_on", "applied_on"))
    if connection.vendor == "postgresql":
        return days.aggregate(median=Median("days"))["median"]
    count = days.count()
    if not count:
        return None
    middle = list(days.order_by("days").values_list("days", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return sum(middle) / len(middle)


def follow_ups_done_in(year: int, *, user: Any | None = None) -> int:
    """Checks on use (three months after acceptance) done in `year`."""
    return (
        _scoped(Retrofit.objects.all(), user)
        .filter(status=Retrofit.Status.FOLLOWED_UP, followed_up_on__year=year)
        .count()
    )


@dataclass(frozen=True)
class RampFigures:
    """Ramp retrofits on old compounds' passages completed in a year, and the streets they are in."""

    passages: int
    streets: int
    street_codes: tuple[str, ...] = ()


def ramps_completed_in(year: int, *, user: Any | None = None) -> RampFigures:
    """Passages given a ramp in `year`, and the streets covered (one query)."""
    ramps = RampRetrofit.objects.filter(completed_on__year=year)
    if user is not None:
        ramps = ramps.filter(street__in=_visible_streets(user))
    rows = list(ramps.order_by("street__code").values_list("street__code").annotate(n=Count("pk")))
    return RampFigures(
        passages=sum(n for _code, n in rows), streets=len(rows), street_codes=tuple(code for code, _n in rows)
    )


def _visible_streets(user: Any) -> QuerySet[Street]:
    """Streets are not street-scoped records themselves; the same rule, applied to them."""
    if not (user.is_authenticated and user.is_active):
        return Street.objects.none()
    if sees_all_streets(user):
        return Street.objects.all()
    return Street.objects.filter(pk__in=street_ids_for(user))


def sign_language_points_in_service(year: int, *, user: Any | None = None) -> int:
    """Sign-language video points in service on 31 December of `year`."""
    year_end = datetime.date(year, 12, 31)
    points = SignLanguagePoint.objects.filter(in_service_from__lte=year_end).filter(
        Q(in_service_to__isnull=True) | Q(in_service_to__gte=year_end)
    )
    if user is not None:
        points = points.filter(street__in=_visible_streets(user))
    return points.count()


def devices_issued_in(year: int, *, user: Any | None = None) -> dict[str, int]:
    """Devices issued in `year` by device type (types with none left out)."""
    devices = _scoped(DeviceIssue.objects.all(), user).filter(issued_on__year=year)
    return dict(devices.order_by("device_type").values_list("device_type").annotate(n=Count("pk")))
