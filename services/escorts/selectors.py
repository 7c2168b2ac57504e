"""Reads of clinic escorts: open sessions, free places, volunteer suggestions, assignments and hours."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from services.escorts.actions import TAKES_A_PLACE
from services.models import (
    EscortBooking,
    EscortSlot,
    Person,
    User,
    Volunteer,
)
from services.registry.validation import phone_as_stored, phone_is_valid


def person_escorts(person: Person, limit: int = 10) -> QuerySet[EscortBooking]:
    """The person's latest clinic escorts, newest first."""
    return person.escort_bookings.select_related("slot__hospital").order_by("-slot__starts_at", "-pk")[:limit]


ESCORT_BOOKING_DAYS = 30


def escort_slots_open_for_booking(*, now: datetime.datetime) -> QuerySet[EscortSlot]:
    """Sessions in the next 30 days, not cancelled, with a place left; `places_left` annotated."""
    takes_a_place = ("booked", "completed", "no_show")
    return (
        EscortSlot.objects.filter(
            cancelled=False, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=ESCORT_BOOKING_DAYS)
        )
        .select_related("hospital")
        .annotate(places_left=F("capacity") - Count("bookings", filter=Q(bookings__status__in=takes_a_place)))
        .filter(places_left__gt=0)
        .order_by("starts_at", "hospital__name_zh")
    )


def escort_days_open_for_booking(*, now: datetime.datetime) -> list[tuple[datetime.date, int]]:
    """The days (Asia/Shanghai) with a session open for booking, and how many, soonest first."""
    days: dict[datetime.date, int] = {}
    for starts_at in escort_slots_open_for_booking(now=now).values_list("starts_at", flat=True):
        day = timezone.localtime(starts_at).date()
        days[day] = days.get(day, 0) + 1
    return sorted(days.items())


def volunteer_suggestions(booking: EscortBooking, *, year: int) -> QuerySet[Volunteer]:
    """Active volunteers with the skills the booking needs, free at its time, fewest minutes this year first."""
    skills = booking.required_skills()
    volunteers = Volunteer.objects.filter(active=True).exclude(declines__booking=booking)
    if "signs" in skills:
        volunteers = volunteers.filter(
            sign_language__in=[Volunteer.SignLanguage.FLUENT, Volunteer.SignLanguage.INTERPRETER]
        )
    if "guides" in skills:
        volunteers = volunteers.filter(guide_trained=True)
    # Found from the sessions of that time, once, rather than from each volunteer's every escort: both the
    # busy check and the minutes below read a volunteer's years of escorts otherwise, and the page grew with them.
    busy = (
        EscortBooking.objects.filter(
            slot__starts_at__lt=booking.slot.ends_at,
            slot__ends_at__gt=booking.slot.starts_at,
            status__in=EscortBooking.ACTIVE,
            volunteer__isnull=False,
        )
        .exclude(pk=booking.pk)
        .values("volunteer")
    )
    minutes = (
        EscortBooking.objects.filter(
            volunteer=OuterRef("pk"), status=EscortBooking.Status.COMPLETED, slot__starts_at__year=year
        )
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return (
        volunteers.exclude(pk__in=busy)
        .select_related("user", "team")
        .annotate(minutes_this_year=Coalesce(Subquery(minutes), 0))
        .order_by("minutes_this_year", "user__username")
    )


def volunteer_assignments_for(user: User) -> QuerySet[EscortBooking]:
    """The user's escorts still to be closed (booked), soonest first, with what the patient needs."""
    return (
        EscortBooking.objects.filter(volunteer__user=user, status=EscortBooking.Status.BOOKED)
        .select_related("person", "slot__hospital")
        .prefetch_related("services")
        .order_by("slot__starts_at", "pk")
    )


@dataclass(frozen=True)
class PatientContact:
    """Whom a volunteer calls about an escort, and the number: the patient, or the guardian who consented."""

    name: str
    phone: str
    guardian: bool = False
    relation: str = ""


@dataclass(frozen=True)
class EscortCard:
    """One escort as its volunteer sees it: the booking (its session gives where and when to meet) and how to
    reach the patient."""

    booking: EscortBooking
    contact: PatientContact | None


def patient_contact(person: Person) -> PatientContact | None:
    """How the escort may reach `person`, within the consent recorded for them, or None.

    With the person's own written consent: their phone (else their guardian's). With a guardian's consent: the
    guardian (else the person's phone). Processed without consent (a statutory duty): no number is shared, and
    the volunteer goes through the federation.
    """
    own = PatientContact(name=person.name, phone=phone_as_stored(person.phone))
    guardian = PatientContact(
        name=person.guardian_name,
        phone=phone_as_stored(person.guardian_phone),
        guardian=True,
        relation=person.guardian_relation,
    )
    if person.consent_basis == Person.ConsentBasis.PERSON:
        order = (own, guardian)
    elif person.consent_basis == Person.ConsentBasis.GUARDIAN:
        order = (guardian, own)
    else:
        return None
    return next((contact for contact in order if phone_is_valid(contact.phone)), None)


def volunteer_escort_cards_for(user: User) -> list[EscortCard]:
    """The user's escorts still to be closed, soonest first, each with how to reach its patient."""
    return [EscortCard(booking=b, contact=patient_contact(b.person)) for b in volunteer_assignments_for(user)]


def volunteer_hours(*, year: int) -> QuerySet[Volunteer]:
    """Per volunteer: escorts completed and minutes served in `year` (the hours ledger)."""
    completed = Q(bookings__status="completed", bookings__slot__starts_at__year=year)
    return (
        Volunteer.objects.select_related("user", "team")
        .annotate(
            escorts=Count("bookings", filter=completed), minutes=Coalesce(Sum("bookings__minutes", filter=completed), 0)
        )
        .filter(escorts__gt=0)
        .order_by("-minutes", "user__username")
    )


def free_places(slot_ids: Iterable[int]) -> dict[int, int]:
    """Places left per clinic session, counted in the database."""
    rows = (
        EscortSlot.objects.filter(pk__in=list(slot_ids))
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=TAKES_A_PLACE)))
        .values_list("pk", F("capacity") - F("taken"))
    )
    return dict(rows)
