"""Reads of the accessibility app, always starting from what the user may see."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.i18n import join_list, localized
from services.models import FollowUp, Household, Person, User
from services.rehab.selectors import rehab_homes_public

from .models import RampRetrofit, Retrofit, RetrofitLine, RetrofitPhoto, SignLanguagePoint


def items_total() -> Coalesce:
    """An expression for a case's cost: the sum of unit cost × quantity of its items (0 without items)."""
    per_case = (
        RetrofitLine.objects.filter(retrofit=OuterRef("pk"))
        .order_by()
        .values("retrofit")
        .annotate(total=Sum(F("unit_cost") * F("quantity")))
        .values("total")
    )
    return Coalesce(Subquery(per_case, output_field=DecimalField()), Decimal(0), output_field=DecimalField())


def retrofit_list_for(user: User) -> QuerySet[Retrofit]:
    """The cases `user` may see, with person, street and cost, newest application first."""
    return (
        Retrofit.objects.visible_to(user)
        .select_related("person", "street")
        .annotate(items_total=items_total())
        .order_by("-applied_on", "-pk")
    )


def retrofit_get_for(user: User, pk: Any) -> Retrofit:
    """One case `user` may see. Raises Http404 otherwise, so existence does not leak."""
    return get_object_or_404(retrofit_list_for(user), pk=pk)


def retrofits_for_person(person: Person) -> QuerySet[Retrofit]:
    """A person's cases, newest first, with their cost (the caller has already checked the person is visible)."""
    return (
        Retrofit.objects.filter(person=person)
        .select_related("street")
        .annotate(items_total=items_total())
        .order_by("-applied_on", "-pk")
    )


def retrofits_for_household(household: Household, *, but: Person) -> QuerySet[Retrofit]:
    """The cases of a household's other members, newest first (the caller has checked the person is visible)."""
    return (
        Retrofit.objects.filter(household=household)
        .exclude(person=but)
        .select_related("person")
        .order_by("-applied_on", "-pk")
    )


def retrofit_needs_for(user: User) -> QuerySet[FollowUp]:
    """Open retrofit needs from home visits in the user's streets that no application has come from yet."""
    return (
        FollowUp.objects.visible_to(user)
        .filter(need=FollowUp.Need.RETROFIT, status=FollowUp.Status.OPEN)
        .filter(~Exists(Retrofit.objects.filter(from_follow_up=OuterRef("pk"))))
        .select_related("person", "visit")
        .order_by("due_on", "pk")
    )


# The key of status_counts' count of accepted cases whose check on use is due (not a status).
CHECK_ON_USE_DUE = "check_on_use_due"


def check_on_use_due(today: datetime.date) -> Q:
    """Accepted cases whose check on use is due by `today` (Retrofit.FOLLOW_UP_AFTER_DAYS after acceptance)."""
    since = today - datetime.timedelta(days=Retrofit.FOLLOW_UP_AFTER_DAYS)
    return Q(status=Retrofit.Status.ACCEPTED, accepted_on__lte=since)


def status_counts(retrofits: QuerySet[Retrofit], *, today: datetime.date | None = None) -> dict[str, int]:
    """How many of `retrofits` are in each status (every status present, zero when none), in one query; with
    `today`, also how many accepted cases have their check on use due (under CHECK_ON_USE_DUE)."""
    counts = dict.fromkeys(Retrofit.Status.values, 0)
    rows = retrofits.order_by().values_list("status").annotate(n=Count("pk"))
    if today is None:
        counts.update({status: n for status, n in rows})
        return counts
    rows = rows.annotate(due=Count("pk", filter=check_on_use_due(today)))
    counts.update({status: n for status, n, _due in rows})
    counts[CHECK_ON_USE_DUE] = sum(due for _status, _n, due in rows)
    return counts


def _lines_with_items() -> QuerySet[RetrofitLine]:
    return RetrofitLine.objects.select_related("item").order_by("item__name", "pk")


def accepted_in_year_for(user: User, year: int) -> QuerySet[Retrofit]:
    """The cases accepted in `year` that `user` may see, with what the export needs loaded."""
    return (
        Retrofit.objects.visible_to(user)
        .filter(status__in=Retrofit.DONE, accepted_on__year=year)
        .select_related("person", "street", "accepted_by")
        .prefetch_related(Prefetch("lines", queryset=_lines_with_items()))
        .annotate(items_total=items_total())
        .order_by("accepted_on", "pk")
    )


def photo_get_for(user: User, pk: Any) -> RetrofitPhoto:
    """One photo of a case `user` may see. Raises Http404 otherwise."""
    return get_object_or_404(RetrofitPhoto.objects.visible_to(user), pk=pk)


# --- the public directory of accessible places (#21): no login, no personal data ----------------------------------


class PlaceKind(models.TextChoices):
    """The kinds of place in the public directory, in the order the directory lists them within a street."""

    SIGN_LANGUAGE_POINT = "sign_language_point", _("Sign-language video point")
    REHAB_HOME = "rehab_home", _("Rehabilitation home")
    RAMP = "ramp", _("Accessible ramp in a residential compound")


@dataclass(frozen=True)
class PublicPlace:
    """One place of the public directory, as plain text in the active language (safe for a page, CSV or JSON)."""

    kind: str
    kind_label: str
    name: str
    address: str
    street_code: str
    street_name: str
    hours: str
    access_notes: str
    services: str
    phone: str


# The columns of the directory as a table (the open-data CSV), in order: (PublicPlace field, header).
PLACE_COLUMNS = [
    ("name", pgettext_lazy("directory", "Name")),
    ("kind_label", _("Kind of place")),
    ("street_name", _("Street")),
    ("street_code", _("Street code")),
    ("address", _("Address")),
    ("hours", _("Opening hours")),
    ("access_notes", _("Access notes")),
    ("services", _("Services")),
    ("phone", _("Phone")),
]


def _place(
    kind: PlaceKind, record: Any, *, name: str, access_notes: str, services: str = "", phone: str = ""
) -> PublicPlace:
    """The directory's place of `kind` for `record` (a model with an address, a street and opening hours in both
    languages); `phone` only ever a place's own public number."""
    return PublicPlace(
        kind=kind.value,
        kind_label=str(kind.label),
        name=name,
        address=record.address,
        street_code=record.street.code,
        street_name=record.street.name,
        hours=localized(record, "opening_hours"),
        access_notes=access_notes,
        services=services,
        phone=phone,
    )


def _sign_language_places(streets: Q, today: datetime.date) -> list[PublicPlace]:
    points = (
        SignLanguagePoint.objects.filter(streets, in_service_from__lte=today)
        .filter(Q(in_service_to__isnull=True) | Q(in_service_to__gte=today))
        .select_related("street")
    )
    return [
        _place(
            PlaceKind.SIGN_LANGUAGE_POINT,
            point,
            name=point.venue,
            access_notes=localized(point, "access_notes"),
            services=str(point.get_kind_display()),
        )
        for point in points
    ]


def _rehab_home_places(streets: Q) -> list[PublicPlace]:
    # Only the centre's own fields: its phone is its public number (the model's rule); contracts, sessions and
    # referrals (persons) are never read here.
    centres = rehab_homes_public().filter(streets)
    places = []
    for centre in centres:
        services = [*centre.services_offered, localized(centre, "services_note")]
        places.append(
            _place(
                PlaceKind.REHAB_HOME,
                centre,
                name=centre.name,
                access_notes=join_list(centre.access_facts),
                services=join_list(services),
                phone=centre.phone,
            )
        )
    return places


def _ramp_places(streets: Q) -> list[PublicPlace]:
    # `note` is internal and never read for the public.
    ramps = RampRetrofit.objects.filter(streets, public=True).select_related("street")
    return [
        _place(
            PlaceKind.RAMP, ramp, name=f"{ramp.compound} {ramp.passage}", access_notes=localized(ramp, "access_notes")
        )
        for ramp in ramps
    ]


def public_place_list(*, street_code: str = "", kind: str = "") -> list[PublicPlace]:
    """The public directory's places today (sign-language points in service, certified rehabilitation homes, ramps
    marked public), optionally of one street (its code) and one kind (a PlaceKind value; "" for every street or
    kind); sorted by street, kind, then name. One query per kind; an unknown code or kind matches nothing."""
    streets = Q(street__code=street_code) if street_code else Q()
    places: list[PublicPlace] = []
    if kind in ("", PlaceKind.SIGN_LANGUAGE_POINT):
        places += _sign_language_places(streets, timezone.localdate())
    if kind in ("", PlaceKind.REHAB_HOME):
        places += _rehab_home_places(streets)
    if kind in ("", PlaceKind.RAMP):
        places += _ramp_places(streets)
    order = list(PlaceKind.values)
    return sorted(places, key=lambda place: (place.street_code, order.index(place.kind), place.name))
