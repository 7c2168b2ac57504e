"""The change history of persons (simple-history rows) for auditors: searchable, read-only, numbers masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyLogAdmin
from core.admin_filters import DateRangeFilter
from services.models import Person
from services.registry.admin import NumberLookupsRefusedMixin
from services.registry.identity import mask_number

HistoricalPerson = Person.history.model


@admin.register(HistoricalPerson)
class PersonHistoryAdmin(NumberLookupsRefusedMixin, ReadOnlyLogAdmin):
    """Who changed which person's record, when, and how it read afterwards; never the full numbers."""

    list_display = ["history_date", "history_user", "history_type", "name", "street", "person_id", "status"]
    list_filter = ["history_type", ("history_date", DateRangeFilter), "street"]
    list_select_related = ["history_user", "street"]
    search_fields = ["history_user__username", "name", "=id"]
    search_help_text = _("User name, the person's name, or the person's record id.")
    date_hierarchy = "history_date"
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "history_date",
        "history_user",
        "history_type",
        "history_change_reason",
        "person_id",
        "name",
        "masked_numbers",
        "category",
        "grade",
        "street",
        "address",
        "phone",
        "lives_alone",
        "status",
        "status_changed_on",
        "consent_basis",
        "consent_given_on",
    ]
    readonly_fields = fields

    @admin.display(description=_("person's record id"), ordering="id")
    def person_id(self, row) -> int:
        return row.id

    @admin.display(description=_("numbers on file"))
    def masked_numbers(self, row) -> str:
        return (
            f"{mask_number(row.id_number)} / {mask_number(row.certificate_number) if row.certificate_number else '—'}"
        )
