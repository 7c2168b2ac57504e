"""What the employment admin pages share: list filters by year, Excel export (shared mixins: core.admin)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.admin import changelist_queryset
from exports.registry import Exporter, register
from exports.views import export_response
from services.models import AccessLog, User
from services.registry.access_log import access_log_record

from .. import exports

CATEGORY = "person__category"


class ExcelExportMixin:
    """An "Export to Excel" action: the selected rows, ID numbers masked, the export logged.

    Each admin registers its export, so that a large one can run as a job listing the rows again.
    """

    export_columns: list[exports.Column] = []
    export_filename = "export.xlsx"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        register(
            Exporter(
                kind=self.export_kind,
                title=lambda: str(self.model._meta.verbose_name_plural),
                columns=self.export_columns,
                records=self._exported,
                filename=lambda params: self.export_filename,
            )
        )

    @property
    def export_kind(self) -> str:
        return self.model._meta.label_lower

    def _exported(self, user: User, params: dict[str, Any]) -> QuerySet:
        """The rows the action had: the list for the same query, narrowed to the selected ones unless all were."""
        rows = changelist_queryset(self, user, params["query"])
        if params["selected"] is not None:
            rows = rows.filter(pk__in=params["selected"])
        return rows.select_related(*self.list_select_related)

    @admin.action(description=_("Export to Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        rows = queryset.select_related(*self.list_select_related)
        count = rows.count()
        access_log_record(
            user=request.user,
            action=AccessLog.Action.EXPORTED,
            detail=f"{self.model._meta.label_lower}: {count}",
        )
        every = request.POST.get("select_across") == "1"
        params = {
            "query": request.GET.urlencode(),
            "selected": None if every else request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return export_response(request, kind=self.export_kind, params=params, records=rows, rows=count)
