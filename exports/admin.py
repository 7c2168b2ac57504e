"""Export jobs in the admin: read-only, for the administrator who keeps the workers; the files are not here."""

from django.contrib import admin

from core.admin import ReadOnlyLogAdmin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyLogAdmin):
    """Who asked for which export, how far it is and when its file goes; never its file or its parameters."""

    list_display = ["created_at", "owner", "kind", "status", "rows_total", "rows_done", "expires_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]
    search_fields = ["owner__username"]
    date_hierarchy = "created_at"
    fields = ["owner", "kind", "status", "rows_total", "rows_done", "created_at", "expires_at"]
    readonly_fields = fields
