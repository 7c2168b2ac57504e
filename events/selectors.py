"""Reads of events for the public pages, the feeds and staff; the public ones never load registrants."""

import datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from services.models import User

from .actions import token_digest
from .models import Award, Event, EventPhoto, Registration

PUBLIC_FIELDS_DEFERRED = ("description", "easy_read_text")


def _count_of(**conditions: str) -> Coalesce:
    """The number of an event's registrations meeting `conditions`, as a correlated subquery (per row shown only)."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), **conditions)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def awards_in_place_order() -> QuerySet[Award]:
    """Awards, best place first (the order of Award.Place), then by competition."""
    rank = Case(*[When(place=value, then=Value(i)) for i, value in enumerate(Award.Place.values)], default=Value(99))
    return Award.objects.annotate(place_rank=rank).order_by("place_rank", "competition", "id")


def public_events() -> QuerySet[Event]:
    """Published events, with their confirmed and waiting counts (numbers only, never who)."""
    return Event.objects.filter(is_published=True).annotate(
        confirmed_count=_count_of(status=Registration.Status.CONFIRMED),
        waiting_count=_count_of(status=Registration.Status.WAITLISTED),
    )


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of `month` and of the next one, in the portal's time zone."""
    zone = timezone.get_default_timezone()
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        datetime.datetime(month.year, month.month, 1, tzinfo=zone),
        datetime.datetime(following.year, following.month, 1, tzinfo=zone),
    )


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of `year` and of the next one, in the portal's time zone (Asia/Shanghai)."""
    zone = timezone.get_default_timezone()
    return datetime.datetime(year, 1, 1, tzinfo=zone), datetime.datetime(year + 1, 1, 1, tzinfo=zone)


def upcoming_event_list(
    *,
    now: datetime.datetime,
    category: str = "",
    month: datetime.date | None = None,
    provisions: list[str] | tuple[str, ...] = (),
) -> QuerySet[Event]:
    """Published events not yet over, soonest first; filtered by category, month of start and provisions (all)."""
    events = public_events().filter(ends_at__gt=now).defer(*PUBLIC_FIELDS_DEFERRED)
    if category:
        events = events.filter(category=category)
    if month is not None:
        start, end = month_bounds(month)
        events = events.filter(starts_at__gte=start, starts_at__lt=end)
    if provisions:
        events = events.filter(**dict.fromkeys(provisions, True))
    return events.order_by("starts_at", "id")


def past_event_list(*, now: datetime.datetime, year: int | None = None) -> QuerySet[Event]:
    """Published events that are over and were held, latest first, with their awards and attendance."""
    events = (
        Event.objects.filter(is_published=True, ends_at__lte=now)
        .exclude(status=Event.Status.CANCELLED)
        .defer(*PUBLIC_FIELDS_DEFERRED)
        .annotate(attended_count=_count_of(attendance=Registration.Attendance.ATTENDED))
        .prefetch_related(Prefetch("awards", queryset=awards_in_place_order()))
    )
    if year is not None:
        start, end = year_bounds(year)
        events = events.filter(starts_at__gte=start, starts_at__lt=end)
    return events.order_by("-starts_at", "-id")


def awards_elsewhere(*, year: int) -> QuerySet[Award]:
    """Awards won at competitions held by others in `year` (they have no event of ours)."""
    return (
        awards_in_place_order()
        .filter(event__isnull=True, awarded_on__year=year)
        .order_by("-awarded_on", "place_rank", "id")
    )


def past_years(*, now: datetime.datetime) -> list[int]:
    """The years that have past published events or awards elsewhere, latest first."""
    years = {d.year for d in Event.objects.filter(is_published=True, ends_at__lte=now).dates("starts_at", "year")}
    years |= {d.year for d in Award.objects.filter(event__isnull=True).dates("awarded_on", "year")}
    return sorted(years, reverse=True)


def event_get_public(slug: str) -> Event:
    """One published event with its photos and awards. Raises Http404 otherwise."""
    event = (
        public_events()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch("photos", queryset=EventPhoto.objects.order_by("position", "id")),
            Prefetch("awards", queryset=awards_in_place_order()),
        )
        .first()
    )
    if event is None:
        raise Http404
    return event


def next_change(events: list[Event], *, now: datetime.datetime) -> datetime.datetime | None:
    """The next moment after `now` at which one of these events' pages changes by the clock alone."""
    moments = [
        moment
        for event in events
        for moment in (event.registration_deadline, event.starts_at, event.ends_at)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


def registration_get_by_token(token: str) -> Registration:
    """The registration a cancel link points at, with its event. Raises Http404 for an unknown token."""
    if not token or len(token) > 100:
        raise Http404
    registration = Registration.objects.select_related("event").filter(token_hash=token_digest(token)).first()
    if registration is None:
        raise Http404
    return registration


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list, and so on; None if not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def feed_events(*, now: datetime.datetime, limit: int = 500) -> QuerySet[Event]:
    """Published events for the calendar feed: those of the past year and all to come, by start."""
    return (
        Event.objects.filter(is_published=True, ends_at__gte=now - datetime.timedelta(days=365))
        .defer(*PUBLIC_FIELDS_DEFERRED)
        .order_by("starts_at", "id")[:limit]
    )


def registration_list_for(user: User) -> QuerySet[Registration]:
    """The registrations `user` may see: their streets' registry persons; district staff also the public's."""
    return Registration.objects.visible_to(user).select_related("event", "person", "street")


def registration_state(event: Event, *, now: datetime.datetime) -> str:
    """What a reader can do about an event now: cancelled, over, open, waiting_list, closed or no_registration.

    `event` must come from public_events() (it reads the confirmed count).
    """
    if event.is_cancelled:
        return "cancelled"
    if event.ends_at <= now:
        return "over"
    if not event.takes_registrations:
        return "no_registration"
    if not event.registration_open(now):
        return "closed"
    # confirmed_count is annotated by the event selectors (not a model field, so mypy cannot see it).
    return "open" if event.confirmed_count < event.capacity else "waiting_list"  # type: ignore[attr-defined]
