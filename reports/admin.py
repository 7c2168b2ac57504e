"""Admin of the reports app: plans edited by staff; reports read-only, frozen through an action."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyLogAdmin, RefusableSaveMixin, bulk_action

from . import selectors
from .actions import annual_plan_approve, annual_plan_save, annual_report_freeze
from .models import AnnualPlan, AnnualReport


@admin.register(AnnualPlan)
class AnnualPlanAdmin(RefusableSaveMixin, SimpleHistoryAdmin):
    """Targets with their approved document; an approved one is a fact and no longer edited here."""

    list_display = ["year", "figure", "target", "status", "document", "document_date", "updated_at"]
    list_display_links = ["year", "figure"]
    list_filter = ["year", "status", "figure"]
    search_fields = ["figure", "document", "note"]
    fields = ["year", "figure", "target", "document", "document_date", "note", "status", "approved_at", "approved_by"]
    readonly_fields = ["status", "approved_at", "approved_by"]
    actions = ["approve"]

    def write(self, request, obj, form):
        annual_plan_save(plan=obj, by=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return self.fields
        return self.readonly_fields

    approve = bulk_action(
        _("Approve the selected targets (their document is named)"),
        do=lambda plan, by: annual_plan_approve(plan=plan, by=by),
        done=_("%(count)d targets approved."),
        permissions=("approve",),
    )

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("reports.approve_annualplan")


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyLogAdmin, SimpleHistoryAdmin):
    list_display = ["year", "status", "progress", "generated_at", "duration_ms", "code_version", "official", "link"]
    list_filter = ["year", "status", ("frozen_at", admin.EmptyFieldListFilter)]
    list_select_related = ["requested_by", "frozen_by"]
    search_fields = ["task_id", "code_version"]
    fields = [
        "year",
        "status",
        "progress_done",
        "progress_total",
        "requested_by",
        "task_id",
        "started_at",
        "heartbeat_at",
        "attempts",
        "generated_at",
        "duration_ms",
        "code_version",
        "error",
        "frozen_at",
        "frozen_by",
        "created_at",
        "corrections",
    ]
    readonly_fields = fields
    actions = ["freeze"]

    @admin.display(description=_("progress"))
    def progress(self, obj: AnnualReport) -> str:
        return f"{obj.progress_done}/{obj.progress_total}"

    @admin.display(description=_("official"), boolean=True)
    def official(self, obj: AnnualReport) -> bool:
        return obj.is_frozen

    @admin.display(description=_("corrections since the official report"))
    def corrections(self, obj: AnnualReport) -> str:
        lines = selectors.corrections_since(obj, selectors.official_report(obj.year))
        if not lines:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line.text,) for line in lines)))

    @admin.display(description=_("dashboard"))
    def link(self, obj: AnnualReport) -> str:
        url = reverse("reports:dashboard", kwargs={"year": obj.year}) + f"?report={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("open"))

    @admin.action(description=_("Freeze as the official report of its year"), permissions=["freeze"])
    def freeze(self, request, queryset):
        for report in queryset:
            try:
                annual_report_freeze(report=report, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{report}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(report)s is now the official report.") % {"report": report})

    def has_freeze_permission(self, request) -> bool:
        return request.user.has_perm("reports.freeze_annualreport")
