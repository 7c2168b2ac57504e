"""Accessibility figures beyond the annual report's own, each computed by the database.

The report's figures (retrofits, ramps, sign-language points, wristbands) are defined once in
`reports.figures`, over querysets such as `accepted_retrofits` below. The median days to acceptance and
the checks on use done feed the members' retrofit list (`views.retrofit_list`). Every function here
takes the year and, optionally, a user: without one it counts the whole district; with one, only the
streets that user may see.
"""

from django.db import connection
from django.db.models import Aggregate, FloatField, Func, IntegerField, QuerySet

from services.models import User

from .models import Retrofit


def _scoped(queryset: QuerySet, user: User | None) -> QuerySet:
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


def accepted_retrofits(year: int, *, user: User | None = None) -> QuerySet[Retrofit]:
    """The cases accepted (jointly signed off) in `year`: status accepted or followed up, accepted in the year."""
    return _scoped(Retrofit.objects.all(), user).filter(status__in=Retrofit.DONE, accepted_on__year=year)


def median_days_to_acceptance(year: int, *, user: User | None = None) -> float | None:
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


def follow_ups_done_in(year: int, *, user: User | None = None) -> int:
    """Checks on use (three months after acceptance) done in `year`."""
    return (
        _scoped(Retrofit.objects.all(), user)
        .filter(status=Retrofit.Status.FOLLOWED_UP, followed_up_on__year=year)
        .count()
    )
