"""Reads of the registry, always scoped to what the user may see."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import Person


def person_list_for(user: Any) -> QuerySet[Person]:
    """The persons `user` may see, with their street loaded."""
    return Person.objects.visible_to(user).select_related("street")


def person_get_for(user: Any, pk: Any) -> Person:
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


def likely_duplicates_for(user: Any) -> list[DuplicateGroup]:
    """Persons with different ID numbers but the same name and birth date, or the same phone."""
    visible = Person.objects.visible_to(user)
    same_name = visible.filter(
        Exists(visible.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(pk=OuterRef("pk")))
    )
    same_phone = visible.exclude(phone="").filter(
        Exists(visible.filter(phone=OuterRef("phone")).exclude(pk=OuterRef("pk")))
    )
    groups: dict[tuple[str, str], list[Person]] = {}
    for person in same_name.select_related("street").order_by("name", "birth_date", "pk"):
        groups.setdefault((str(_("same name and birth date")), f"{person.name} {person.birth_date}"), []).append(person)
    for person in same_phone.select_related("street").order_by("phone", "pk"):
        groups.setdefault((str(_("same phone")), person.phone), []).append(person)
    return [DuplicateGroup(reason=r, key=k, persons=p) for (r, k), p in groups.items()]
