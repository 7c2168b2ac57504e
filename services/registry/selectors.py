"""Reads of the registry (persons, duplicates, data quality), always scoped to what the user may see."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from services.models import HomeVisit, Person, Street, User
from services.registry.validation import STORED_PHONE


def person_list_for(user: User) -> QuerySet[Person]:
    """The persons `user` may see, with their street loaded."""
    return Person.objects.visible_to(user).select_related("street")


def person_get_for(user: User, pk: Any) -> Person:
    """One person `user` may see. Raises Http404 otherwise, so existence does not leak."""
    return get_object_or_404(person_list_for(user), pk=pk)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


AGE_BANDS = [
    # (key, label, youngest age, oldest age or None)
    ("0-15", _("under 16"), 0, 15),
    ("16-59", _("16 to 59 (working age)"), 16, 59),
    ("60-69", _("60 to 69"), 60, 69),
    ("70-79", _("70 to 79"), 70, 79),
    ("80+", _("80 and over"), 80, None),
]


def filter_age_band(queryset: QuerySet[Person], key: str, today: datetime.date) -> QuerySet[Person]:
    """Persons whose age on `today` falls in the band `key` (see AGE_BANDS)."""
    for band_key, _label, youngest, oldest in AGE_BANDS:
        if band_key == key:
            queryset = queryset.filter(birth_date__lte=years_before(today, youngest))
            if oldest is not None:
                queryset = queryset.filter(birth_date__gt=years_before(today, oldest + 1))
            return queryset
    return queryset


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str
    key: str
    persons: list[Person]


def likely_duplicates_for(user: User) -> list[DuplicateGroup]:
    """Persons with different ID numbers but the same name and birth date, or the same phone."""
    visible = Person.objects.visible_to(user)
    same_name = visible.filter(
        Exists(visible.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(pk=OuterRef("pk")))
    )
    same_phone = visible.exclude(phone="").filter(
        Exists(visible.filter(phone=OuterRef("phone")).exclude(pk=OuterRef("pk")))
    )
    groups: list[DuplicateGroup] = []
    # Grouped by birth date, labelled by name only: the birth date is what masking hides.
    for person in same_name.select_related("street").order_by("name", "birth_date", "pk"):
        if not groups or (groups[-1].persons[0].name, groups[-1].persons[0].birth_date) != (
            person.name,
            person.birth_date,
        ):
            groups.append(DuplicateGroup(reason=str(_("same name and birth date")), key=person.name, persons=[]))
        groups[-1].persons.append(person)
    by_phone: dict[str, DuplicateGroup] = {}
    for person in same_phone.select_related("street").order_by("phone", "pk"):
        group = by_phone.setdefault(
            person.phone, DuplicateGroup(reason=str(_("same phone")), key=person.phone, persons=[])
        )
        group.persons.append(person)
    return groups + list(by_phone.values())


LONG_AGO_DAYS = 365


EXPIRING_DAYS = 90


@dataclass(frozen=True)
class StreetQuality:
    street: Street
    active: int
    visited_this_year: int
    lost_contact: int
    not_visited_12_months: int
    missing_certificate: int
    expiring_certificate: int
    likely_duplicates: int

    @property
    def visited_share(self) -> int:
        """Percentage of active persons visited this year, rounded down."""
        return self.visited_this_year * 100 // self.active if self.active else 0


def data_quality_for(user: User, *, today: datetime.date) -> list[StreetQuality]:
    """Per street the user may see: visit coverage, lost contact, certificates and duplicates."""
    visible = Person.objects.visible_to(user)
    active = visible.filter(status=Person.Status.ACTIVE)
    latest_mode = HomeVisit.objects.filter(person=OuterRef("pk")).order_by("-visited_on", "-pk").values("mode")[:1]
    cutoff = today - datetime.timedelta(days=LONG_AGO_DAYS)
    duplicate = Exists(
        visible.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(pk=OuterRef("pk"))
    ) | Exists(visible.exclude(phone="").filter(phone=OuterRef("phone")).exclude(pk=OuterRef("pk")))
    rows = (
        active.annotate(latest_mode=Subquery(latest_mode))
        .order_by()
        .values("street")
        .annotate(
            active=Count("pk"),
            visited_this_year=Count(
                "pk", filter=Q(Exists(HomeVisit.objects.filter(person=OuterRef("pk"), visited_on__year=today.year)))
            ),
            lost_contact=Count("pk", filter=Q(latest_mode=HomeVisit.Mode.LOST_CONTACT)),
            not_visited_12_months=Count(
                "pk", filter=~Q(Exists(HomeVisit.objects.filter(person=OuterRef("pk"), visited_on__gte=cutoff)))
            ),
            missing_certificate=Count("pk", filter=Q(certificate_number="")),
            expiring_certificate=Count(
                "pk",
                filter=~Q(certificate_number="")
                & Q(certificate_valid_until__lt=today + datetime.timedelta(days=EXPIRING_DAYS)),
            ),
            likely_duplicates=Count("pk", filter=Q(duplicate)),
        )
    )
    by_street = {row.pop("street"): row for row in rows}
    streets = Street.objects.filter(pk__in=list(by_street)).order_by("code")
    return [StreetQuality(street=s, **by_street[s.pk]) for s in streets]


def persons_with_bad_phone_for(user: User) -> QuerySet[Person]:
    """Active persons `user` may see whose phone or guardian's phone fails the phone rule, by street and name."""
    phone_ok = Q(phone__regex=STORED_PHONE.pattern) | Q(phone="")
    guardian_ok = Q(guardian_phone__regex=STORED_PHONE.pattern) | Q(guardian_phone="")
    return (
        Person.objects.visible_to(user)
        .filter(status=Person.Status.ACTIVE)
        .exclude(phone_ok & guardian_ok)
        .annotate(
            phone_fails=ExpressionWrapper(~phone_ok, output_field=BooleanField()),
            guardian_phone_fails=ExpressionWrapper(~guardian_ok, output_field=BooleanField()),
        )
        .select_related("street")
        .order_by("street__code", "name", "pk")
    )
