"""Admin list filters of our own: a date range (from, to) typed by the user, for the audit trails; and the
admin site's guards against malformed input (harden_model_admin), on every registered admin."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from celery import schedules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_last_value_from_parameters, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule

from core.input import parse_int, parse_year

if TYPE_CHECKING:
    from django.contrib.admin.filters import ListFilter

    # The autocomplete mixin goes in front of Django's widget: mypy reads it as one, at run time it is a plain class.
    _AutocompleteMixin = AutocompleteMixin
    # django-stubs makes ModelForm generic, Django's class takes no subscript.
    _CrontabModelForm = forms.ModelForm[CrontabSchedule]
else:
    _AutocompleteMixin = object
    _CrontabModelForm = forms.ModelForm


class DateRangeFilter(admin.FieldListFilter):
    """Rows whose date or time field falls between two local dates, both included; e.g. at__from=2026-01-01.

    A date that is not YYYY-MM-DD, or a range that ends before it starts, is ignored with a message
    saying so, never a server error.
    """

    template = "admin/services/date_range_filter.html"

    def __init__(
        self,
        field: models.Field[Any, Any],
        request: HttpRequest,
        params: dict[str, Any],
        model: type[models.Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
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

    def expected_parameters(self) -> list[str | None]:
        return [self.from_name, self.to_name]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        lookup = self.field_path
        if isinstance(self.field, models.DateTimeField):
            lookup = f"{self.field_path}__date"  # the local date (USE_TZ), never a naive midnight
        if self.from_name in self.dates:
            queryset = queryset.filter(**{f"{lookup}__gte": self.dates[self.from_name]})
        if self.to_name in self.dates:
            queryset = queryset.filter(**{f"{lookup}__lte": self.dates[self.to_name]})
        return queryset

    # Keys of our own template, not the default one's that django-stubs types (and a list, not an iterator).
    def choices(self, changelist: ChangeList) -> list[dict[str, Any]]:  # type: ignore[override]
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


def year_filter(field: str, title: Any) -> type[admin.SimpleListFilter]:
    """A list filter (?year=2023) by the year of `field`: a date, or a whole number holding a year.

    It offers the years the visible records have. A year that is no year is refused the way Django
    refuses any bad filter (IncorrectLookupParameters).
    """

    class YearFilter(admin.SimpleListFilter):
        parameter_name = "year"

        def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
            records = model_admin.get_queryset(request).order_by()
            if _is_date(model_admin.model, field):
                years = [day.year for day in records.dates(field, "year", order="DESC")]
            else:
                years = [y for y in records.order_by(f"-{field}").values_list(field, flat=True).distinct() if y]
            return [(str(year), str(year)) for year in years]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            if not value:
                return queryset
            year = parse_year(value)
            if year is None:
                raise IncorrectLookupParameters(self.parameter_name)
            lookup = f"{field}__year" if _is_date(queryset.model, field) else field
            return queryset.filter(**{lookup: year})

    YearFilter.title = title
    return YearFilter


def choice_filter(
    title: Any, parameter_name: str, choices: dict[str, tuple[Any, Callable[[], models.Q]]]
) -> type[admin.SimpleListFilter]:
    """A list filter offering `choices`: each value's label and the condition its rows meet.

    The condition is built when the filter runs (one about today sees today). Any other value leaves the
    list unfiltered, as an unknown value does in Django's own filters.
    """

    class ChoiceFilter(admin.SimpleListFilter):
        def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, Any]]:
            return [(value, label) for value, (label, _condition) in choices.items()]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            if value not in choices:
                return queryset
            return queryset.filter(choices[value][1]())

    ChoiceFilter.title = title
    ChoiceFilter.parameter_name = parameter_name
    return ChoiceFilter


def _is_date(model: type[models.Model], path: str) -> bool:
    """Whether the field at the end of the lookup `path` (e.g. "course__starts_on") holds a date or a time."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model  # type: ignore[assignment]
    return isinstance(model._meta.get_field(name), models.DateField)  # DateTimeField is a DateField


class DateHierarchyChangeList(ChangeList):
    """A changelist whose date hierarchy (?at__year=...) only takes a date Python can count past.

    Django's own check stops a month 13 but not a year past 9998 or a number past C's long: the next
    year or day is then computed and overflows (a 500). Such a value is refused the way Django refuses
    any bad filter (IncorrectLookupParameters: the list reloads with ?e=1 and an error note).
    """

    def get_filters(self, request: HttpRequest) -> tuple[list[ListFilter], bool, dict[str, bool | str], bool, bool]:
        if self.date_hierarchy:
            field = self.date_hierarchy
            limits = {"year": (1900, 9998), "month": (1, 12), "day": (1, 31)}
            for part, (low, high) in limits.items():
                name = f"{field}__{part}"
                if name in request.GET and parse_int(request.GET[name], minimum=low, maximum=high) is None:
                    raise IncorrectLookupParameters(name)
        return super().get_filters(request)


class ValidChoicesAutocompleteMixin(_AutocompleteMixin):
    """An autocomplete widget that shows again only the posted values its field could hold.

    Django's widget looks the posted ids up as they are to re-render a refused form, so "abc" in a
    person or street field became a ValueError from the database layer (a 500) instead of the
    field's own "Select a valid choice" error.
    """

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        target = self.field.target_field
        kept: list[str] = []
        for item in value:
            try:
                target.get_prep_value(target.to_python(item))
            except (ValidationError, ValueError, TypeError):
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class ValidChoicesAutocompleteSelect(ValidChoicesAutocompleteMixin, AutocompleteSelect):
    pass


class ValidChoicesAutocompleteSelectMultiple(ValidChoicesAutocompleteMixin, AutocompleteSelectMultiple):
    pass


_VALID_CHOICES_WIDGETS: dict[type[object], type[forms.Widget]] = {
    AutocompleteSelect: ValidChoicesAutocompleteSelect,
    AutocompleteSelectMultiple: ValidChoicesAutocompleteSelectMultiple,
}


def _with_valid_autocomplete_choices(
    formfield_for_dbfield: Callable[..., forms.Field | None],
) -> Callable[..., forms.Field | None]:
    @functools.wraps(formfield_for_dbfield)
    def wrapper(db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any) -> forms.Field | None:
        formfield = formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        inner = getattr(widget, "widget", widget)  # inside the admin's related-field wrapper
        if type(inner) in _VALID_CHOICES_WIDGETS:
            inner.__class__ = _VALID_CHOICES_WIDGETS[type(inner)]
        return formfield

    return wrapper


def _object_id_checked(view: Callable[..., HttpResponse], model: type[models.Model]) -> Callable[..., HttpResponse]:
    """A view taking a record's id from the address that answers 404 to an id the key cannot hold."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        object_id = kwargs.get("object_id", kwargs.get("pk", args[0] if args else ""))
        try:
            model._meta.pk.to_python(unquote(str(object_id)))
        except ValidationError:
            raise Http404 from None
        try:
            return view(request, *args, **kwargs)
        # Every registered model is concrete; django-stubs gives DoesNotExist only to a named concrete model.
        except model.DoesNotExist:  # type: ignore[attr-defined]
            raise Http404 from None

    return wrapper


class CrontabScheduleForm(_CrontabModelForm):
    """django-celery-beat's crontab, refused unless Celery itself can read it.

    The package's field validators accept values Celery's parser refuses (a minute of -1): the record
    then broke its own admin page (a 500) and would break the beat scheduler.
    """

    class Meta:
        model = CrontabSchedule
        fields = ["minute", "hour", "day_of_week", "day_of_month", "month_of_year", "timezone"]

    def clean(self) -> dict[str, Any]:
        super().clean()  # ModelForm's returns self.cleaned_data (django-stubs allows None)
        cleaned = self.cleaned_data
        parts = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
        try:
            schedules.crontab(**{part: cleaned.get(part) or "*" for part in parts})
        except (schedules.ParseException, ValueError, TypeError) as exc:
            message = _("Celery cannot read this schedule: %(reason)s")
            self.add_error(None, ValidationError(message, params={"reason": exc}))
            # Kept off the record, whose read-only description would parse them again.
            for part in parts:
                cleaned.pop(part, None)
        return cleaned


# Views of installed apps' admins that look a record up by the id in the address without a 404.
OBJECT_ID_VIEWS = ("history_view", "history_form_view", "config_view", "qrcode_view")


def harden_model_admin(model_admin: admin.ModelAdmin[Any]) -> None:
    """The admin site's guards against malformed input, put on each admin as it is registered (PortalAdminSite).

    - a date hierarchy takes only a date that can be counted past (DateHierarchyChangeList);
    - an autocomplete field re-renders only posted values its key can hold;
    - simple-history's and django-otp's extra views answer 404 to an id that is no record;
    - django-celery-beat's crontab form refuses what Celery cannot parse.
    """
    if model_admin.date_hierarchy:
        # No request exists at registration; Django's get_changelist never reads it.
        base = model_admin.get_changelist(None)  # type: ignore[arg-type]
        if not issubclass(base, DateHierarchyChangeList):
            guarded = type(f"Guarded{base.__name__}", (DateHierarchyChangeList, base), {})
            # This admin's own methods are replaced (here and below), as the docstring says.
            model_admin.get_changelist = lambda request, guarded=guarded, **kwargs: guarded  # type: ignore[method-assign]
    model_admin.formfield_for_dbfield = _with_valid_autocomplete_choices(  # type: ignore[method-assign]
        model_admin.formfield_for_dbfield
    )
    if model_admin.model is CrontabSchedule:
        model_admin.form = CrontabScheduleForm
    for name in OBJECT_ID_VIEWS:
        if hasattr(model_admin, name):
            setattr(model_admin, name, _object_id_checked(getattr(model_admin, name), model_admin.model))
