"""Figures of the services app for the annual report, computed in the database."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import EscortBooking, Street


@dataclass(frozen=True)
class EscortYear:
    """Escort clinic figures for one calendar year (Asia/Shanghai)."""

    person_visits: int  # completed escorts: one person-visit (人次) each
    people: int  # distinct persons escorted
    no_shows: int
    cancelled: int
    volunteers: int  # distinct volunteers who completed an escort
    volunteer_minutes: int

    @property
    def volunteer_hours(self) -> float:
        return round(self.volunteer_minutes / 60, 1)


def _bookings(year: int, streets: QuerySet[Street] | None) -> QuerySet[EscortBooking]:
    bookings = EscortBooking.objects.filter(slot__starts_at__year=year)
    return bookings if streets is None else bookings.filter(street__in=streets)


COMPLETED = Q(status=EscortBooking.Status.COMPLETED)


def escort_figures(*, year: int, streets: QuerySet[Street] | None = None) -> EscortYear:
    """Escort figures for `year`, on the given streets (all when None)."""
    agg = _bookings(year, streets).aggregate(
        person_visits=Count("pk", filter=COMPLETED),
        people=Count("person", filter=COMPLETED, distinct=True),
        no_shows=Count("pk", filter=Q(status=EscortBooking.Status.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=EscortBooking.Status.CANCELLED)),
        volunteers=Count("volunteer", filter=COMPLETED, distinct=True),
        volunteer_minutes=Coalesce(Sum("minutes", filter=COMPLETED), 0),
    )
    return EscortYear(**agg)


def escort_visits_by(*, year: int, by: str, streets: QuerySet[Street] | None = None) -> dict[str, int]:
    """Completed person-visits in `year` broken down by "hospital", "service", "street" or "category"."""
    key = {
        "hospital": "slot__hospital__name_zh",
        "service": "services__code",
        "street": "street__code",
        "category": "person__category",
    }[by]
    rows = (
        _bookings(year, streets)
        .filter(COMPLETED)
        .order_by()
        .values(key)
        .annotate(n=Count("pk", distinct=True))
        .values_list(key, "n")
    )
    return {str(k): n for k, n in rows}
