"""Admin of rehabilitation: centres (康复之家), family-doctor contracts, home sessions and referrals.

Records about people are street-scoped and show masked ID numbers only (Person.__str__); every write
goes through services.rehab.actions. Imported by services.admin, so the admin site finds these.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import NoDeleteMixin, RefusableSaveMixin
from core.forms import require_text
from services.models import FamilyDoctorContract, HomeRehabSession, RehabCentre, RehabReferral
from services.models.rehab import ACCESS_FACTS, REHAB_SERVICES
from services.registry.admin import StreetScopedAdmin
from services.rehab import actions as rehab


@admin.register(RehabCentre)
class RehabCentreAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "street", "certification", "accepted_on", "phone", "opening_hours"]
    list_filter = ["certification", "street"]
    list_select_related = ["street"]
    search_fields = ["name", "address"]
    ordering = ["street__code", "name"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "street", "address", "phone", "contact", "opening_hours", "opening_hours_en"]}),
        (
            _("Rehabilitation services"),
            {"fields": [*(name for name, _label in REHAB_SERVICES), "services_note", "services_note_en"]},
        ),
        (_("Accessibility"), {"fields": [name for name, _label in ACCESS_FACTS]}),
        (
            _("Rehabilitation home certification"),
            {"fields": ["certification", "applied_on", "accepted_on", "revoked_on", "created_at", "updated_at"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        rehab.rehab_centre_save(centre=obj, by=request.user)


@admin.register(FamilyDoctorContract)
class FamilyDoctorContractAdmin(RefusableSaveMixin, NoDeleteMixin, StreetScopedAdmin):
    list_display = ["person", "street", "centre", "doctor", "signed_on", "ended_on"]
    list_filter = ["centre", "street", ("signed_on", admin.DateFieldListFilter)]
    list_select_related = ["person", "street", "centre"]
    search_fields = ["person__name", "doctor"]
    autocomplete_fields = ["person"]
    fields = ["person", "centre", "doctor", "signed_on", "ended_on", "street"]
    readonly_fields = ["street"]
    date_hierarchy = "signed_on"

    def get_queryset(self, request):
        # For the autocomplete's labels too; a queryset that selects related rows skips list_select_related.
        return super().get_queryset(request).select_related("person", "street", "centre")

    def write(self, request, obj, form) -> None:
        rehab.family_doctor_contract_save(contract=obj, by=request.user)


class HomeRehabSessionForm(forms.ModelForm):
    class Meta:
        model = HomeRehabSession
        fields = ["person", "centre", "contract", "referral", "given_on", "kind", "minutes", "given_by", "note"]

    def clean_referral(self):
        referral = self.cleaned_data.get("referral")
        if referral is not None and self.instance.pk is None and referral.status != RehabReferral.Status.OPEN:
            raise ValidationError(_("This referral is no longer open."), code="not_open")
        return referral


@admin.register(HomeRehabSession)
class HomeRehabSessionAdmin(RefusableSaveMixin, NoDeleteMixin, StreetScopedAdmin):
    form = HomeRehabSessionForm
    list_display = ["given_on", "person", "street", "centre", "kind", "minutes", "given_by"]
    list_filter = ["kind", "centre", "street", ("given_on", admin.DateFieldListFilter)]
    list_select_related = ["person", "street", "centre"]
    search_fields = ["person__name", "given_by"]
    autocomplete_fields = ["person", "contract"]
    date_hierarchy = "given_on"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "referral":
            kwargs["queryset"] = (
                RehabReferral.objects.visible_to(request.user)
                .filter(status=RehabReferral.Status.OPEN)
                .select_related("person", "centre")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def write(self, request, obj, form) -> None:
        rehab.home_rehab_session_record(session=obj, by=request.user)


class RehabReferralForm(forms.ModelForm):
    close = forms.BooleanField(label=_("Close this referral without a session"), required=False)
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)

    class Meta:
        model = RehabReferral
        fields: list[str] = []

    def clean(self):
        cleaned = super().clean()
        require_text(self, cleaned, when="close", field="reason", message=_("Write why the referral is closed."))
        return cleaned


@admin.register(RehabReferral)
class RehabReferralAdmin(RefusableSaveMixin, NoDeleteMixin, StreetScopedAdmin):
    """The centres' queue: referrals from committee members' visits, open ones first."""

    form = RehabReferralForm
    list_display = ["created_at", "person", "street", "centre", "status", "referred_by", "record_session"]
    list_filter = ["status", "centre", "street"]
    list_select_related = ["person", "street", "centre", "referred_by"]
    search_fields = ["person__name"]
    ordering = ["status", "-created_at"]
    readonly_fields = [
        "person",
        "street",
        "centre",
        "contract",
        "follow_up",
        "status",
        "note",
        "referred_by",
        "created_at",
        "resolved_at",
    ]

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == RehabReferral.Status.OPEN and self.has_change_permission(request, obj):
            fields += ["close", "reason"]
        return fields

    def has_add_permission(self, request) -> bool:
        return False  # referrals start from a visit's need in the field app

    @admin.display(description=_("next step"))
    def record_session(self, referral: RehabReferral) -> str:
        if referral.status != RehabReferral.Status.OPEN:
            return "—"
        query = {
            "person": referral.person_id,
            "centre": referral.centre_id,
            "referral": referral.pk,
            "kind": HomeRehabSession.Kind.ASSESSMENT,
        }
        if referral.contract_id:
            query["contract"] = referral.contract_id
        url = f"{reverse('admin:services_homerehabsession_add')}?{urlencode(query)}"
        return format_html('<a href="{}">{}</a>', url, _("record the assessment"))

    def write(self, request, obj, form) -> None:
        if form.cleaned_data.get("close"):
            rehab.rehab_referral_close(referral=obj, note=form.cleaned_data["reason"], by=request.user)
