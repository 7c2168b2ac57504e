"""Reads of home visits and follow-ups for the field app, scoped to what the user may see."""

import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from services.models import FollowUp, HomeVisit, Person, User
from services.registry.selectors import LONG_AGO_DAYS


def field_person_list_for(
    user: User, *, search: str = "", order: str = "name", stale_only: bool = False
) -> QuerySet[Person]:
    """Active persons of the member's streets with their last visit date and open needs count."""
    last_visit = HomeVisit.objects.filter(person=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    open_needs = (
        FollowUp.objects.filter(person=OuterRef("pk"), status=FollowUp.Status.OPEN)
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    persons = (
        # The streets resolved first: the first page by name is then read from person_field_list_idx in order.
        Person.objects.visible_to(user, resolve_streets=True)
        .filter(status=Person.Status.ACTIVE)
        .select_related("street")
        .annotate(last_visited_on=Subquery(last_visit), open_needs=Coalesce(Subquery(open_needs), 0))
    )
    if search:
        persons = persons.filter(name__icontains=search.strip())
    if stale_only:
        cutoff = timezone.localdate() - datetime.timedelta(days=LONG_AGO_DAYS)
        persons = persons.filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=cutoff))
    if order == "stale":
        return persons.order_by(F("last_visited_on").asc(nulls_first=True), "name", "pk")
    return persons.order_by("name", "pk")


def person_visits(person: Person, limit: int = 20) -> QuerySet[HomeVisit]:
    return person.visits.select_related("visitor").prefetch_related("follow_ups").order_by("-visited_on", "-pk")[:limit]


def person_open_follow_ups(person: Person) -> QuerySet[FollowUp]:
    return person.follow_ups.filter(status=FollowUp.Status.OPEN).order_by("due_on", "pk")
