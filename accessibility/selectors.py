"""Reads of the accessibility app, always starting from what the user may see."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from services.models import FollowUp, Household, Person, User

from .models import Retrofit, RetrofitLine, RetrofitPhoto


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
