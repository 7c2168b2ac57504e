"""Figures of the services app for the annual report, computed in the database."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import EscortBooking, FollowUp, HomeRehabSession, HomeVisit, RehabCentre, Street


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
    return EscortBooking.objects.filter(slot__starts_at__year=year).in_streets(streets)


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


# Rehabilitation (康复之家, 送康复服务上门) and the campaign visits (四百大走访).


def rehab_homes_certified(year: int, streets: QuerySet[Street] | None = None) -> QuerySet[RehabCentre]:
    """Centres certified as rehabilitation homes on 31 December of `year` (revoked later still count)."""
    centres = RehabCentre.objects.certified_at_end_of(year)
    return centres if streets is None else centres.filter(street__in=streets)


def home_rehab_sessions(year: int, streets: QuerySet[Street] | None = None) -> QuerySet[HomeRehabSession]:
    """Home rehabilitation sessions given in `year`."""
    return HomeRehabSession.objects.filter(given_on__year=year).in_streets(streets)


@dataclass(frozen=True)
class HomeRehabYear:
    """Rehabilitation given at home in one calendar year."""

    people: int  # distinct persons who received at least one session
    sessions: int
    minutes: int


def home_rehab_figures(*, year: int, streets: QuerySet[Street] | None = None) -> HomeRehabYear:
    """People who received home rehabilitation in `year`, sessions given and their minutes, in one query."""
    agg = home_rehab_sessions(year, streets).aggregate(
        people=Count("person", distinct=True), sessions=Count("pk"), minutes=Coalesce(Sum("minutes"), 0)
    )
    return HomeRehabYear(**agg)


def campaign_visits_with_help(year: int, streets: QuerySet[Street] | None = None) -> QuerySet[HomeVisit]:
    """Campaign visits (四百大走访) in `year` that found at least one need, i.e. led to targeted help."""
    visits = HomeVisit.objects.filter(
        Exists(FollowUp.objects.filter(visit=OuterRef("pk"))),
        purpose=HomeVisit.Purpose.CAMPAIGN,
        visited_on__year=year,
    )
    return visits.in_streets(streets)
