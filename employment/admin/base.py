"""What the employment admin pages share: list filters by year, Excel export (shared mixins: core.admin)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.excel import xlsx_response
from services.models import AccessLog
from services.registry.access_log import access_log_record

from .. import exports

CATEGORY = "person__category"


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
