"""Admin list filters of our own: a date range (from, to) typed by the user, for the audit trails."""

import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import get_last_value_from_parameters
from django.db import models
from django.utils.translation import gettext_lazy as _


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
