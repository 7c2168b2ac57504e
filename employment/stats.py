"""The employment figures of the annual report, each defined once and counted by the database.

Every figure takes a year and optionally the streets to count (any iterable of Street, or a queryset);
None counts every street. Street breakdowns use the street copied onto the record when it was made
(where the person lived then) and are keyed by street code; category breakdowns are keyed by the
person's disability category (1 to 7). Keys with nothing to count are left out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from services.models import Street

from .models import Certificate, Enrollment, Graduate, Placement, PlacementFollowUp
from .validation import WORKING_AGE, age_at

Streets = Iterable[Street] | QuerySet[Street] | None
BY_STREET = "street__code"
BY_CATEGORY = "person__category"


def _rate(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage with one decimal, None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _grouped(queryset: QuerySet, key: str, **aggregates: Any) -> dict[Any, dict[str, int]]:
    rows = queryset.order_by().values(key).annotate(**aggregates).order_by(key)
    return {row.pop(key): row for row in rows}


# People trained


@dataclass(frozen=True)
class Trained:
    year: int
    persons: int  # the figure: distinct persons
    completions: int  # completed enrolments, one person may complete two courses


def trained_enrollments(year: int, streets: Streets = None) -> QuerySet[Enrollment]:
    """The records behind `trained`: completed enrolments on courses that ended in `year`, of people of
    working age (WORKING_AGE) on the course's first day."""
    youngest, oldest = WORKING_AGE
    return (
        Enrollment.objects.in_streets(streets)
        .filter(status=Enrollment.Status.COMPLETED, course__ends_on__year=year)
        .alias(age_at_start=age_at("person__birth_date", "course__starts_on"))
        .filter(age_at_start__gte=youngest, age_at_start__lte=oldest)
    )


_TRAINED = {"persons": Count("person", distinct=True), "completions": Count("pk")}


def trained(year: int, streets: Streets = None) -> Trained:
    """People trained in `year`: distinct persons of working age on the first day of a course that ended
    in `year` and whose enrolment is completed (a dropped-out or unfinished enrolment does not count)."""
    return Trained(year=year, **trained_enrollments(year, streets).aggregate(**_TRAINED))


# Certificates earned


@dataclass(frozen=True)
class Certified:
    year: int
    persons: int  # the figure: distinct persons who earned a certificate
    certificates: int


def certificates_issued(year: int, streets: Streets = None) -> QuerySet[Certificate]:
    """The records behind `certified`: certificates dated in `year`."""
    return Certificate.objects.in_streets(streets).filter(certificate_issued_on__year=year)


_CERTIFIED = {"persons": Count("person", distinct=True), "certificates": Count("pk")}


def certified(year: int, streets: Streets = None) -> Certified:
    """Certificates earned in `year`: distinct persons holding a vocational skill certificate dated in `year`
    (certificates are recorded only on completed enrolments, so every one follows training)."""
    return Certified(year=year, **certificates_issued(year, streets).aggregate(**_CERTIFIED))


# People placed


@dataclass(frozen=True)
class Placed:
    year: int
    persons: int  # the figure: distinct persons
    placements: int


def recommended_placements(year: int, streets: Streets = None) -> QuerySet[Placement]:
    """The records behind `placed`: placements recommended by the federation that started in `year`."""
    return Placement.objects.in_streets(streets).filter(recommended=True, started_on__year=year)


_PLACED = {"persons": Count("person", distinct=True), "placements": Count("pk")}


def placed(year: int, streets: Streets = None) -> Placed:
    """People placed in `year`: distinct persons with a job on the federation's recommendation that started in
    `year` (jobs found without the federation's recommendation do not count)."""
    return Placed(year=year, **recommended_placements(year, streets).aggregate(**_PLACED))


# New graduates


@dataclass(frozen=True)
class Graduates:
    year: int
    graduates: int  # disabled university graduates of the year, registered as Graduate
    placed: int  # of them, those with a placement as a new graduate of that year
    rate: Decimal | None  # placed / graduates, in per cent with one decimal; None without graduates


def graduates_of(year: int, streets: Streets = None) -> QuerySet[Graduate]:
    """The records behind `new_graduates`: graduates of `year`, annotated `is_placed`."""
    placement = Placement.objects.filter(person=OuterRef("person"), new_graduate=True, graduation_year=year)
    return Graduate.objects.in_streets(streets).filter(graduation_year=year).annotate(is_placed=Exists(placement))


_GRADUATES = {
    "graduates": Count("person", distinct=True),
    "placed": Count("person", distinct=True, filter=Q(is_placed=True)),
}


def _graduates(year: int, row: dict[str, int]) -> Graduates:
    return Graduates(year=year, rate=_rate(row["placed"], row["graduates"]), **row)


def new_graduates(year: int, streets: Streets = None) -> Graduates:
    """New graduates of `year` and how many were placed: distinct persons registered as graduating from
    university in `year`, those of them with a placement marked "new graduate" of `year` (recommended or
    not), and the share placed."""
    return _graduates(year, graduates_of(year, streets).aggregate(**_GRADUATES))


# Still employed after 6 and 12 months


@dataclass(frozen=True)
class Retention:
    year: int
    placements: int  # recommended placements that started in the year
    checked_6: int  # of them, with the 6-month follow-up recorded
    employed_6: int  # of those, still employed
    checked_12: int
    employed_12: int

    @property
    def rate_6(self) -> Decimal | None:
        return _rate(self.employed_6, self.checked_6)

    @property
    def rate_12(self) -> Decimal | None:
        return _rate(self.employed_12, self.checked_12)


def retention_follow_ups(year: int, months: int, streets: Streets = None) -> QuerySet[PlacementFollowUp]:
    """The records behind `retention`: recorded `months` follow-ups of placements `placed` counts for `year`."""
    return PlacementFollowUp.objects.in_streets(streets).filter(
        placement__recommended=True, placement__started_on__year=year, months=months, recorded_on__isnull=False
    )


def _follow_up(months: int, **extra: Any) -> Q:
    return Q(follow_ups__months=months, follow_ups__recorded_on__isnull=False, **extra)


_RETENTION = {
    "placements": Count("pk", distinct=True),
    "checked_6": Count("follow_ups", filter=_follow_up(6)),
    "employed_6": Count("follow_ups", filter=_follow_up(6, follow_ups__still_employed=True)),
    "checked_12": Count("follow_ups", filter=_follow_up(12)),
    "employed_12": Count("follow_ups", filter=_follow_up(12, follow_ups__still_employed=True)),
}


def retention(year: int, streets: Streets = None) -> Retention:
    """Still employed at 6 and 12 months, per placement: of the federation's placements that started in
    `year`, how many had their 6-month (12-month) follow-up recorded, and in how many of those the person
    was still employed. A placement that ended before a follow-up was due counts as not employed there."""
    return Retention(year=year, **recommended_placements(year, streets).aggregate(**_RETENTION))


def retention_by_street(year: int, streets: Streets = None) -> dict[str, Retention]:
    """`retention` per street code."""
    rows = _grouped(recommended_placements(year, streets), BY_STREET, **_RETENTION)
    return {code: Retention(year=year, **row) for code, row in rows.items()}


def retention_by_category(year: int, streets: Streets = None) -> dict[int, Retention]:
    """`retention` per disability category."""
    rows = _grouped(recommended_placements(year, streets), BY_CATEGORY, **_RETENTION)
    return {category: Retention(year=year, **row) for category, row in rows.items()}
