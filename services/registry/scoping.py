"""The street-scoping rule, in one place: which records a user may see.

District staff and auditors (permission services.view_all_streets) see every street; a committee
member sees the streets of their assignments; anyone else sees nothing. Views, form choices, admin
querysets, exports and statistics all start from `visible_to(user)`.
"""

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from services.models import User

VIEW_ALL_STREETS = "services.view_all_streets"


def sees_all_streets(user: "User") -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(VIEW_ALL_STREETS))


def street_ids_for(user: "User") -> models.QuerySet:
    """The ids of the streets a user is assigned to, as a subquery."""
    from services.models import StreetAssignment

    return StreetAssignment.objects.filter(user_id=user.pk).values("street_id")


class StreetScopedQuerySet(models.QuerySet):
    """A queryset of records that belong to a street through their model's `street_lookup`.

    Each street-scoped model declares that lookup once, e.g. `street_lookup = "street"` or
    `"retrofit__street"`; scoping and the statistics' street filters read it from there.
    """

    def in_streets(self, streets: Any) -> "StreetScopedQuerySet":
        """The records on `streets` (streets, their ids, or a subquery of either); all of them when None."""
        if streets is None:
            return self
        return self.filter(**{f"{self.model.street_lookup}__in": streets})

    def visible_to(self, user: "User", *, resolve_streets: bool = False) -> "StreetScopedQuerySet":
        """The records `user` may see. With `resolve_streets` a committee member's streets are read first (one
        small query) and the records filtered on their ids: an index led by the street can then serve a long
        list's order and LIMIT, which PostgreSQL cannot do for a street from a subquery (it reads and sorts
        every record of the street)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if sees_all_streets(user):
            return self
        streets = street_ids_for(user)
        return self.in_streets(list(streets.values_list("street_id", flat=True)) if resolve_streets else streets)
