"""Reads of the registry (persons, duplicates, data quality), always scoped to what the user may see."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Field,
    ForeignObject,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UniqueConstraint,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from services.models import AccessLog, HomeVisit, Person, Street, User
from services.registry.validation import STORED_PHONE


def person_list_for(user: User) -> QuerySet[Person]:
    """The persons `user` may see, with their street loaded."""
    return Person.objects.visible_to(user).select_related("street")


def person_get_for(user: User, pk: Any) -> Person:
    """One person `user` may see. Raises Http404 otherwise, so existence does not leak."""
    return get_object_or_404(person_list_for(user), pk=pk)


def merged_person_for(user: User, pk: Any) -> Person | None:
    """The merged record `pk` if `user` may see it, with the record it was merged into; None otherwise."""
    return Person.objects.merged_visible_to(user).select_related("street", "merged_into").filter(pk=pk).first()


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


# Relations to Person a merge leaves where they are: the access log records which record was opened, as it was.
MERGE_KEEPS: frozenset[type[Model]] = frozenset({AccessLog})


def person_relations() -> "list[ForeignObject[Any, Any]]":
    """Every foreign key to Person a merge moves, of any app (read from the model graph, so a model added
    later is moved too)."""
    return [
        rel.field
        for rel in Person._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.related_model not in MERGE_KEEPS
    ]


def _unique_rules(model: type[Model], field: "ForeignObject[Any, Any]") -> list[tuple[list[str], Q | None]]:
    """The unique rules of `model` that include `field`: (the other fields, the condition) each."""
    rules: list[tuple[list[str], Q | None]] = []
    if field.unique:
        rules.append(([], None))
    for names in model._meta.unique_together:
        if field.name in names:
            rules.append(([n for n in names if n != field.name], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and field.name in constraint.fields:
            rules.append(([n for n in constraint.fields if n != field.name], constraint.condition))
    return rules


def _attname(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return field.attname if isinstance(field, Field) else name


def merge_conflicts(*, kept: Person, other: Person) -> list[str]:
    """The records that would break a unique rule if `other`'s moved to `kept` (e.g. two registrations for
    one event), each named as "kind: kept's record / other's record"; empty when the merge can go ahead."""
    conflicts: list[str] = []
    for field in person_relations():
        model = field.model
        for others, condition in _unique_rules(model, field):
            rows = model._base_manager.filter(**{field.name: other})
            if condition is not None:
                rows = rows.filter(condition)
            for row in rows:
                values = {name: getattr(row, _attname(model, name)) for name in others}
                if any(value is None for value in values.values()):
                    continue  # NULLs never collide in a unique rule
                clash = model._base_manager.filter(**{field.name: kept}, **values)
                if condition is not None:
                    clash = clash.filter(condition)
                for twin in clash:
                    conflicts.append(f"{model._meta.verbose_name}: {twin} / {row}")
    return conflicts


@dataclass(frozen=True)
class MergeRow:
    kind: str
    kept: int
    other: int


def person_merge_preview(*, kept: Person, other: Person) -> list[MergeRow]:
    """Per kind of record linked to a person, how many each of the two has (kinds neither has left out)."""
    rows = []
    for field in person_relations():
        counts = field.model._base_manager.filter(**{f"{field.name}__in": [kept.pk, other.pk]}).aggregate(
            kept=Count("pk", filter=Q(**{field.attname: kept.pk})),
            other=Count("pk", filter=Q(**{field.attname: other.pk})),
        )
        if counts["kept"] or counts["other"]:
            rows.append(MergeRow(kind=str(field.model._meta.verbose_name_plural), **counts))
    return rows


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

    def counts(self) -> list[tuple[str, Any, int]]:
        """Each check's key, label and count, in the page's column order (QUALITY_CHECKS)."""
        return [(key, label, getattr(self, key)) for key, label in QUALITY_CHECKS.items()]

    @property
    def visited_share(self) -> int:
        """Percentage of active persons visited this year, rounded down."""
        return self.visited_this_year * 100 // self.active if self.active else 0


# The checks of the data-quality page, in its column order: each counted per street and listed by the same condition
# (quality_check_persons_for), so a count and the list it links to are the same rows.
QUALITY_CHECKS: dict[str, Any] = {
    "active": _("Active persons"),
    "visited_this_year": _("Visited this year"),
    "lost_contact": _("Lost contact"),
    "not_visited_12_months": _("Not visited in 12 months"),
    "missing_certificate": _("No certificate"),
    "expiring_certificate": _("Certificate expiring within 90 days or expired"),
    "likely_duplicates": _("Likely duplicates"),
}


def _quality_rows(user: User, today: datetime.date) -> tuple[QuerySet[Person], dict[str, Q]]:
    """The active persons `user` may see (with their latest visit's mode), and each check's condition on them."""
    visible = Person.objects.visible_to(user)
    latest_mode = HomeVisit.objects.filter(person=OuterRef("pk")).order_by("-visited_on", "-pk").values("mode")[:1]
    cutoff = today - datetime.timedelta(days=LONG_AGO_DAYS)
    duplicate = Exists(
        visible.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(pk=OuterRef("pk"))
    ) | Exists(visible.exclude(phone="").filter(phone=OuterRef("phone")).exclude(pk=OuterRef("pk")))
    conditions = {
        "active": Q(),
        "visited_this_year": Q(Exists(HomeVisit.objects.filter(person=OuterRef("pk"), visited_on__year=today.year))),
        "lost_contact": Q(latest_mode=HomeVisit.Mode.LOST_CONTACT),
        "not_visited_12_months": ~Q(Exists(HomeVisit.objects.filter(person=OuterRef("pk"), visited_on__gte=cutoff))),
        "missing_certificate": Q(certificate_number=""),
        "expiring_certificate": ~Q(certificate_number="")
        & Q(certificate_valid_until__lt=today + datetime.timedelta(days=EXPIRING_DAYS)),
        "likely_duplicates": Q(duplicate),
    }
    active = visible.filter(status=Person.Status.ACTIVE).annotate(latest_mode=Subquery(latest_mode))
    return active, conditions


def data_quality_for(user: User, *, today: datetime.date) -> list[StreetQuality]:
    """Per street the user may see: visit coverage, lost contact, certificates and duplicates."""
    active, conditions = _quality_rows(user, today)
    rows = (
        active.order_by()
        .values("street")
        .annotate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    by_street = {row.pop("street"): row for row in rows}
    streets = Street.objects.filter(pk__in=list(by_street)).order_by("code")
    return [StreetQuality(street=s, **by_street[s.pk]) for s in streets]


def quality_check_persons_for(user: User, *, check: str, street: Street, today: datetime.date) -> QuerySet[Person]:
    """The persons a count of the data-quality page counted: those of `street` `user` may see that fail (or, for
    the first columns, meet) `check`, by name. Raises KeyError for a check the page does not have."""
    active, conditions = _quality_rows(user, today)
    return active.filter(conditions[check], street=street).select_related("street").order_by("name", "pk")


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
