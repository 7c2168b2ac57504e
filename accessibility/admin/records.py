"""Admin of the catalogue, caps, photos and steps lists, ramps, sign-language points and devices."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyLogAdmin
from services.registry.admin import StreetScopedAdmin

from .. import actions
from ..forms import DeviceIssueForm
from ..models import (
    DeviceIssue,
    RampRetrofit,
    RetrofitItem,
    RetrofitPhoto,
    RetrofitStatusChange,
    RetrofitTypeCap,
    SignLanguagePoint,
)
from .parts import PersonColumnsMixin, photo_preview


@admin.register(RetrofitPhoto)
class RetrofitPhotoAdmin(ReadOnlyLogAdmin, StreetScopedAdmin):
    """A list of photos for staff; photos are added from their case."""

    list_display = ["retrofit", "stage", "alt_text", "uploaded_by", "created_at"]
    list_filter = ["stage"]
    list_select_related = ["retrofit__person", "uploaded_by"]
    search_fields = ["retrofit__person__name", "alt_text"]
    fields = ["retrofit", "stage", "alt_text", "shown", "uploaded_by", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def shown(self, photo: RetrofitPhoto) -> str:
        return photo_preview(photo)


@admin.register(RetrofitStatusChange)
class RetrofitStatusChangeAdmin(ReadOnlyLogAdmin, StreetScopedAdmin):
    list_display = ["retrofit", "old", "new", "on", "by", "at"]
    list_filter = ["new", ("at", admin.DateFieldListFilter)]
    list_select_related = ["retrofit__person", "by"]
    search_fields = ["retrofit__person__name", "by__username"]
    date_hierarchy = "at"


@admin.register(RetrofitItem)
class RetrofitItemAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "reference_cost", "allowed_standard", "allowed_basic", "active"]
    list_filter = ["active", "allowed_standard", "allowed_basic"]
    search_fields = ["name", "description"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # items stay on old cases: make them inactive instead

    def get_search_results(self, request, queryset, search_term):
        # The item picker of a case offers only items still in the catalogue.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(active=True)
        return queryset, may_have_duplicates


@admin.register(RetrofitTypeCap)
class RetrofitTypeCapAdmin(admin.ModelAdmin):
    list_display = ["type", "cap", "updated_at"]


@admin.register(RampRetrofit)
class RampRetrofitAdmin(admin.ModelAdmin):
    list_display = ["compound", "passage", "street", "completed_on", "public"]
    list_filter = ["public", "street", ("completed_on", admin.DateFieldListFilter)]
    list_select_related = ["street"]
    search_fields = ["compound", "passage", "address"]
    autocomplete_fields = ["street"]
    date_hierarchy = "completed_on"


@admin.register(SignLanguagePoint)
class SignLanguagePointAdmin(admin.ModelAdmin):
    list_display = ["venue", "kind", "street", "in_service_from", "in_service_to"]
    list_filter = ["kind", "street"]
    list_select_related = ["street"]
    search_fields = ["venue", "address"]
    autocomplete_fields = ["street"]


@admin.register(DeviceIssue)
class DeviceIssueAdmin(PersonColumnsMixin, StreetScopedAdmin):
    form = DeviceIssueForm
    list_display = ["device_type", "person_name", "masked_id", "street", "serial_number", "issued_on", "returned_on"]
    list_filter = ["device_type", "street", ("issued_on", admin.DateFieldListFilter)]
    list_select_related = ["person", "street"]
    search_fields = ["person__name", "serial_number"]
    autocomplete_fields = ["person"]
    date_hierarchy = "issued_on"

    def get_readonly_fields(self, request, obj=None):
        return ["person_name", "masked_id", "street"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["device_type", "serial_number", "issued_on", "returned_on", "note"]
        return ["person_name", "masked_id", "street", *fields] if obj is not None else ["person", *fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        actions.device_issue_save(device=obj, by=request.user)
