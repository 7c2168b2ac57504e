"""Admin of home visits, follow-ups and the overdue digests sent."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ActionErrorsMixin, BoundedCountAdminMixin, DefaultChoiceFilter, ReadOnlyInline, ReadOnlyLogAdmin
from core.forms import require_text
from core.users import user_display
from services.models import (
    DigestSent,
    FollowUp,
    HomeVisit,
)
from services.registry.admin import StreetScopedAdmin
from services.visits import actions


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["need", "due_on", "status", "outcome", "closed_at", "closed_by_name"]

    @admin.display(description=_("closed by"))
    def closed_by_name(self, obj: FollowUp) -> str:
        return user_display(obj.closed_by)


@admin.register(HomeVisit)
class HomeVisitAdmin(BoundedCountAdminMixin, StreetScopedAdmin):
    list_display = ["visited_on", "person", "street", "mode", "purpose", "visited_by"]
    # Issue #20: a page of 50 rows (as the person and retrofit lists), counted up to a bound, not twice in full.
    list_per_page = 50
    list_filter = ["street", "mode", "purpose", ("visited_on", admin.DateFieldListFilter)]
    list_select_related = ["person", "street", "visitor"]
    search_fields = ["person__name", "visitor__username", "visitor__first_name", "visitor__last_name"]
    date_hierarchy = "visited_on"
    autocomplete_fields = ["person"]
    # The visitor by name (core.users), not by login: "visitor" itself would show the account's username.
    fields = ["person", "street", "visited_by", "visited_on", "mode", "purpose", "findings", "created_at"]
    readonly_fields = fields
    inlines = [FollowUpInline]

    @admin.display(description=_("visited by"), ordering="visitor__last_name")
    def visited_by(self, obj: HomeVisit) -> str:
        return user_display(obj.visitor)

    def has_add_permission(self, request) -> bool:
        return False  # visits are filed in the field app, where the rules and follow-ups apply

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OpenFollowUpFilter(DefaultChoiceFilter):
    """Open follow-ups by default: the work queue."""

    title = _("status")
    parameter_name = "state"
    default = "open"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("overdue", _("Overdue")), ("closed", _("Closed")), ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.current()
        if value == "open":
            return queryset.filter(status=FollowUp.Status.OPEN)
        if value == "overdue":
            return queryset.filter(status=FollowUp.Status.OPEN, due_on__lt=timezone.localdate())
        if value == "closed":
            return queryset.filter(status=FollowUp.Status.CLOSED)
        return queryset


class FollowUpCloseForm(forms.ModelForm):
    close = forms.BooleanField(label=_("Close this follow-up now"), required=False)

    class Meta:
        model = FollowUp
        fields = ["outcome"]

    def clean(self):
        cleaned = super().clean()
        require_text(self, cleaned, when="close", field="outcome", message=_("Write what was done before closing."))
        return cleaned


@admin.register(FollowUp)
class FollowUpAdmin(ActionErrorsMixin, StreetScopedAdmin):
    """The staff work queues: one per need, open ones first; closing records the outcome."""

    form = FollowUpCloseForm
    list_display = ["due_on", "need", "person", "street", "status", "overdue", "visit_date"]
    list_filter = [OpenFollowUpFilter, "need", "street"]
    list_select_related = ["person", "street", "visit"]
    search_fields = ["person__name"]
    readonly_fields = ["person", "street", "need", "due_on", "visit", "status", "closed_at", "closed_by_name"]
    fields = [*readonly_fields[:6], "outcome", "close", "closed_at", "closed_by_name"]

    @admin.display(description=_("closed by"))
    def closed_by_name(self, follow_up: FollowUp) -> str:
        return user_display(follow_up.closed_by)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, follow_up: FollowUp) -> bool:
        return follow_up.status == FollowUp.Status.OPEN and follow_up.due_on < timezone.localdate()

    @admin.display(description=_("date of visit"), ordering="visit__visited_on")
    def visit_date(self, follow_up: FollowUp):
        # A need from an online application has no visit.
        return follow_up.visit.visited_on if follow_up.visit else "-"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("close"):
            actions.follow_up_close(follow_up=obj, outcome=form.cleaned_data["outcome"], by=request.user)
        elif "outcome" in form.changed_data:
            actions.follow_up_outcome_save(follow_up=obj, outcome=form.cleaned_data["outcome"], by=request.user)


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyLogAdmin):
    list_display = ["sent_on", "follow_ups", "recipients"]
