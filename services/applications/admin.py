"""Admin of online applications: the staff queue with each one's age, and the steps as admin actions."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import DefaultChoiceFilter, bulk_action, run_each
from core.users import user_display
from services.applications import actions, selectors
from services.applications.forms import ApplicationRefuseForm
from services.models import Application, ApplicationStatusChange
from services.registry.admin import StreetScopedAdmin


class OpenApplicationFilter(DefaultChoiceFilter):
    """Open applications by default: the work queue."""

    title = _("status")
    parameter_name = "state"
    default = "open"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.current()
        if value == "open":
            return queryset.exclude(status__in=Application.CLOSED)
        if value == "closed":
            return queryset.filter(status__in=Application.CLOSED)
        return queryset


class ApplicationStatusChangeInline(admin.TabularInline):
    model = ApplicationStatusChange
    fields = ["at", "old", "new", "by_name", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("by"))
    def by_name(self, obj: ApplicationStatusChange) -> str:
        return user_display(obj.by) if obj.by_id else str(_("the applicant"))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(StreetScopedAdmin):
    """The staff queue of online applications; every change of state goes through the actions."""

    list_display = ["submitted_at", "service", "person", "street", "status", "age", "assigned_name", "visit_on"]
    list_filter = [OpenApplicationFilter, "service", "street"]
    list_select_related = ["person", "street", "assigned_to"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]
    fields = [
        "person",
        "street",
        "service",
        "escort_slot",
        "applicant",
        "applicant_name",
        "contact",
        "note",
        "status",
        "assigned_name",
        "visit_on",
        "reason",
        "follow_up",
        "submitted_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [ApplicationStatusChangeInline]
    actions = ["approve", "complete", "refuse"]

    @admin.display(description=_("age (working days)"))
    def age(self, application: Application) -> int:
        return selectors.application_age(application)

    @admin.display(description=_("committee member"))
    def assigned_name(self, application: Application) -> str:
        return user_display(application.assigned_to) if application.assigned_to_id else "-"

    def has_add_permission(self, request) -> bool:
        return False  # applications come from the public form, where the identity is checked

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("services.decide_application")

    approve = bulk_action(
        _("Approve the selected applications"),
        do=lambda application, by: actions.application_approve(application=application, by=by),
        done=_("Approved: %(count)d. The applicants are told."),
        permissions=("decide",),
    )
    complete = bulk_action(
        _("Mark the selected applications done"),
        do=lambda application, by: actions.application_complete(application=application, by=by),
        done=_("Done: %(count)d. The applicants are told."),
        permissions=("decide",),
    )

    @admin.action(description=_("Refuse the selected applications (with a reason)"), permissions=["decide"])
    def refuse(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = ApplicationRefuseForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_each(
                self,
                request,
                queryset,
                lambda application: actions.application_refuse(application=application, by=request.user, reason=reason),
                lambda count: _("Refused: %(count)d. The applicants are told the reason.") % {"count": count},
            )
            return redirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refuse the selected applications"),
            "form": form,
            "applications": list(queryset),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "opts": self.model._meta,
            "today": timezone.localdate(),
        }
        return render(request, "admin/services/application_refuse.html", context)
