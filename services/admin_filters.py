"""Admin list filters of our own: a date range (from, to) typed by the user, for the audit trails; and the
guard of every date hierarchy against years no date can hold."""

import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_last_value_from_parameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingan_portal.input import parse_int


class DateRangeFilter(admin.FieldListFilter):
    """Rows whose date or time field falls between two local dates, both included; e.g. at__from=2026-01-01.

    A date that is not YYYY-MM-DD, or a range that ends before it starts, is ignored with a message
    saying so, never a server error.
    """

    template = "admin/services/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.from_name = f"{field_path}__from"
        self.to_name = f"{field_path}__to"
        self.values: dict[str, str] = {}
        self.dates: dict[str, datetime.date] = {}
        for name in (self.from_name, self.to_name):
            raw = (get_last_value_from_parameters(params, name) or "").strip()
            self.values[name] = raw
            if raw:
                try:
                    self.dates[name] = datetime.date.fromisoformat(raw)
                except ValueError:
                    messages.error(
                        request,
                        _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.") % {"value": raw},
                    )
        start, end = self.dates.get(self.from_name), self.dates.get(self.to_name)
        if start and end and start > end:
            messages.error(
                request,
                _("The range starts on %(start)s, after it ends on %(end)s: swap the dates.")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
            self.dates = {}
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self) -> list[str]:
        return [self.from_name, self.to_name]

    def queryset(self, request, queryset):
        lookup = self.field_path
        if isinstance(self.field, models.DateTimeField):
            lookup = f"{self.field_path}__date"  # the local date (USE_TZ), never a naive midnight
        if self.from_name in self.dates:
            queryset = queryset.filter(**{f"{lookup}__gte": self.dates[self.from_name]})
        if self.to_name in self.dates:
            queryset = queryset.filter(**{f"{lookup}__lte": self.dates[self.to_name]})
        return queryset

    def choices(self, changelist) -> list[dict[str, Any]]:
        keep = [
            (name, value)
            for name, values in changelist.params.items()
            if name not in (self.from_name, self.to_name, "p")
            for value in (values if isinstance(values, list) else [values])
        ]
        return [
            {
                "from_name": self.from_name,
                "to_name": self.to_name,
                "from_value": self.values[self.from_name],
                "to_value": self.values[self.to_name],
                "keep": keep,
                "selected": bool(self.dates),
                "clear": changelist.get_query_string(remove=[self.from_name, self.to_name]),
            }
        ]


class DateHierarchyChangeList(ChangeList):
    """A changelist whose date hierarchy (?at__year=...) only takes a date Python can count past.

    Django's own check stops a month 13 but not a year past 9998 or a number past C's long: the next
    year or day is then computed and overflows (a 500). Such a value is refused the way Django refuses
    any bad filter (IncorrectLookupParameters: the list reloads with ?e=1 and an error note).
    """

    def get_filters(self, request):
        if self.date_hierarchy:
            field = self.date_hierarchy
            limits = {"year": (1900, 9998), "month": (1, 12), "day": (1, 31)}
            for part, (low, high) in limits.items():
                name = f"{field}__{part}"
                if name in request.GET and parse_int(request.GET[name], minimum=low, maximum=high) is None:
                    raise IncorrectLookupParameters(name)
        return super().get_filters(request)


def guard_date_hierarchies(site: admin.AdminSite) -> None:
    """Every registered admin with a date hierarchy (ours and the installed apps') uses the guarded list."""
    for model_admin in site._registry.values():
        if not model_admin.date_hierarchy:
            continue
        base = model_admin.get_changelist(None)
        if issubclass(base, DateHierarchyChangeList):
            continue
        guarded = type(f"Guarded{base.__name__}", (DateHierarchyChangeList, base), {})
        model_admin.get_changelist = lambda request, guarded=guarded, **kwargs: guarded
