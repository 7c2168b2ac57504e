"""Admin of referrals from home visits."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.admin import ActionErrorsMixin, NoDeleteMixin, adopt, bulk_action
from core.admin_filters import year_filter
from services.registry.admin import StreetScopedAdmin

from .. import actions, exports
from ..forms import (
    ReferralAddForm,
)
from ..models import Referral
from .base import CATEGORY, ExcelExportMixin


@admin.register(Referral)
class ReferralAdmin(ActionErrorsMixin, ExcelExportMixin, NoDeleteMixin, StreetScopedAdmin):
    list_display = ["created_at", "person", "kind", "course", "status", "referred_by", "street"]
    list_filter = ["street", CATEGORY, year_filter("created_at", _("year")), "status", "kind"]
    list_select_related = ["person", "street", "course", "referred_by"]
    search_fields = ["person__name", "course__title"]
    autocomplete_fields = ["follow_up", "course"]
    actions = ["export_xlsx", "close_referrals"]
    export_columns = exports.REFERRAL_COLUMNS
    export_filename = "referrals.xlsx"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ReferralAddForm
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a fresh class per request: the rules depend on who refers
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["follow_up", "kind", "course", "note"]
        return [
            "person",
            "street",
            "follow_up",
            "kind",
            "course",
            "status",
            "note",
            "referred_by",
            "enrollment",
            "placement",
            "resolved_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            created = actions.referral_create(
                follow_up=form.cleaned_data["follow_up"],
                kind=form.cleaned_data["kind"],
                course=form.cleaned_data.get("course"),
                note=form.cleaned_data.get("note") or "",
                by=request.user,
            )
            adopt(obj, created)

    close_referrals = bulk_action(
        _("Close selected referrals"),
        do=lambda referral, by: actions.referral_close(referral=referral, by=by),
        done=ngettext_lazy("%(count)d referral closed.", "%(count)d referrals closed.", "count"),
    )
