"""Employment records the annual report counts, and retention after placement, counted by the database.

The report's figures (trained, certified, placed, new graduates) are defined once in `reports.figures`,
over the querysets below; retention after placement is shown on the staff page of the year's other
figures (`reports.views.more_figures`). Each takes a year and optionally the streets (any iterable of Street, or a
queryset); None is every street. Street breakdowns use the street copied onto the record when it was
made and are keyed by street code; category breakdowns by the disability category (1 to 7) the record
kept when it was made, so a later reassessment leaves a closed year as it was.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from services.models import Street

from .models import Certificate, Enrollment, Graduate, Placement, PlacementFollowUp
from .validation import age_at, working_age_counted

Streets = Iterable[Street] | QuerySet[Street] | None
BY_STREET = "street__code"
BY_CATEGORY = "category"


def _rate(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage with one decimal, None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _grouped(queryset: QuerySet, key: str, **aggregates: Any) -> dict[Any, dict[str, int]]:
    rows = queryset.order_by().values(key).annotate(**aggregates).order_by(key)
    return {row.pop(key): row for row in rows}


# People trained


def _of_working_age(age: str) -> Q:
    """Of working age by the field `age` as the `trained` figure counts it, for women and men alike."""
    either = Q()
    for gender in ("female", "male"):
        youngest, oldest = working_age_counted(gender)
        either |= Q(person__gender=gender, **{f"{age}__gte": youngest, f"{age}__lte": oldest})
    return either


def trained_enrollments(year: int, streets: Streets = None) -> QuerySet[Enrollment]:
    """The records behind `trained`: completed enrolments on courses that ended in `year`, of people of
    working age on the course's first day (working_age_counted: WORKING_AGE_WOMEN_OLDEST for women)."""
    return (
        Enrollment.objects.in_streets(streets)
        .filter(status=Enrollment.Status.COMPLETED, course__ends_on__year=year)
        .alias(age_at_start=age_at("person__birth_date", "course__starts_on"))
        .filter(_of_working_age("age_at_start"))
    )


# Certificates earned


def certificates_issued(year: int, streets: Streets = None) -> QuerySet[Certificate]:
    """The records behind `certified`: certificates dated in `year` of people among that year's trained
    (其中23人: of the people `trained` counts, those certified), wherever they were trained."""
    return Certificate.objects.in_streets(streets).filter(
        certificate_issued_on__year=year, person__in=trained_enrollments(year).values("person")
    )


# People placed


def recommended_placements(year: int, streets: Streets = None) -> QuerySet[Placement]:
    """The records behind `placed`: placements recommended by the federation that started in `year` and lasted
    at least settings.PLACEMENT_MIN_DAYS days (until they ended, or until today when still running)."""
    placements = Placement.objects.in_streets(streets).filter(recommended=True, started_on__year=year)
    days = settings.PLACEMENT_MIN_DAYS
    if not days:
        return placements  # the national statistical rule: a job counts once started, however long it lasts
    least = datetime.timedelta(days=days)
    return placements.filter(
        Q(ended_on__isnull=True, started_on__lte=timezone.localdate() - least)
        | Q(ended_on__gte=ExpressionWrapper(F("started_on") + least, output_field=DateField()))
    )


# New graduates


def graduates_of(year: int, streets: Streets = None) -> QuerySet[Graduate]:
    """The records behind `new_graduates`: graduates of `year`, annotated `is_placed`."""
    placement = Placement.objects.filter(person=OuterRef("person"), new_graduate=True, graduation_year=year)
    return Graduate.objects.in_streets(streets).filter(graduation_year=year).annotate(is_placed=Exists(placement))


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
