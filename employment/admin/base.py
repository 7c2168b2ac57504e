"""What the employment admin pages share: list filters by year, Excel export, errors from the actions."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core.excel import xlsx_response
from services.audit import access_log_record
from services.models import AccessLog

from .. import exports

CATEGORY = "person__category"


def year_filter(field: str, title: Any) -> type[admin.SimpleListFilter]:
    """A list filter by the year of the date in `field`, offering the years the visible records have."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = "year"

        def lookups(self, request, model_admin):
            years = model_admin.get_queryset(request).order_by().dates(field, "year", order="DESC")
            return [(str(day.year), str(day.year)) for day in years]

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            if not value.isdigit():
                return queryset.none()
            return queryset.filter(**{f"{field}__year": int(value)})

    YearFilter.title = title
    return YearFilter


class ExcelExportMixin:
    """An "Export to Excel" action: the selected rows, ID numbers masked, the export logged."""

    export_columns: list[exports.Column] = []
    export_filename = "export.xlsx"

    @admin.action(description=_("Export to Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        rows = queryset.select_related(*self.list_select_related)
        count = rows.count()
        access_log_record(
            user=request.user,
            action=AccessLog.Action.EXPORTED,
            detail=f"{self.model._meta.label_lower}: {count}",
        )
        data = exports.workbook(
            title=str(self.model._meta.verbose_name_plural),
            columns=self.export_columns,
            rows=rows.iterator(chunk_size=2000),
        )
        return xlsx_response(data, self.export_filename)


class ActionErrorsMixin:
    """Forms check the rules first; an action that still refuses (another user took the last place a moment
    earlier) rolls the whole save back, and the page says why."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def run_each(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action: Any, done: Any) -> None:
    """Call `action` for each selected record; report how many succeeded and each refusal.

    `done(count)` gives the success message.
    """
    succeeded = 0
    for obj in queryset:
        try:
            action(obj)
        except ValidationError as exc:
            model_admin.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done(succeeded), messages.SUCCESS)


def adopt(obj: Any, created: Any) -> None:
    """Give the admin's form object the row an action created: the admin goes on to log and redirect with it."""
    for field in created._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False


class NoDeleteMixin:
    """Records about people are never deleted here: they end by a status, so history stays whole."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
