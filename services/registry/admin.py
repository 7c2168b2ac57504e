"""Admin of the registry: street-scoped, masked, never deleting, with Excel in and out."""

import io
import re
from typing import Any
from urllib.parse import unquote_plus

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import BoundedCountAdminMixin, ReadOnlyInline, ReadOnlyLogAdmin, changelist_queryset
from core.admin_filters import DateRangeFilter
from core.excel import xlsx_response
from core.forms import add_action_errors
from core.i18n import join_list
from core.uploads import file_too_large
from exports.registry import Exporter, register
from exports.views import export_response
from services.models import (
    AccessLog,
    AuditEntry,
    Household,
    Person,
    Street,
    StreetAssignment,
    User,
)
from services.registry import actions, eligibility, reveal, selectors, spreadsheets
from services.registry.access_log import access_log_record
from services.registry.forms import PersonForm, PersonMergeForm
from services.registry.identity import is_number_search, normalise_number
from services.registry.timeline import timeline_for, timeline_links

# Rehabilitation's admin lives in its own module (this one is long); importing it registers it.
# The persons' change history for auditors is in its own module too.
# django-celery-beat's and django-axes' admins are re-registered so that their actions declare permissions.


PHONE_LIKE = re.compile(r"[\d\s\-\uff10-\uff19]{7,14}")


class StreetScopedAdmin(admin.ModelAdmin):
    """Lists and pages start from `visible_to(user)`; another street's record is a 404."""

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


class AgeBandFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label, _young, _old in selectors.AGE_BANDS]

    def queryset(self, request, queryset):
        if self.value():
            return selectors.filter_age_band(queryset, self.value(), timezone.localdate())
        return queryset


# A filter in the address on these fields (?id_number__startswith=3101...) would confirm a guessed number,
# or the birth date the mask hides, one request at a time, past the logged and limited number search.
PERSONS_EXPORT = "services.persons"
NUMBER_FIELDS = ("id_number", "certificate_number", "birth_date")


class NumberLookupsRefusedMixin:
    """Refuse a list filter on an ID or certificate number or a birth date (400, as Django does for a
    lookup it does not allow): the one way to find a person by number is the search box (services.registry.reveal)."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if lookup.split(LOOKUP_SEP, 1)[0] in NUMBER_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]


@admin.register(Person)
class PersonAdmin(NumberLookupsRefusedMixin, BoundedCountAdminMixin, StreetScopedAdmin):
    form = PersonForm
    list_display = [
        "name",
        "masked_id",
        "gender_label",
        "age",
        "category",
        "grade",
        "street",
        "lives_alone",
        "status",
        "record_link",
    ]
    list_display_links = ["name"]
    list_select_related = ["street"]
    list_filter = ["street", "category", "grade", "status", "lives_alone", AgeBandFilter]
    search_fields = ["name"]
    search_help_text = _("Name, phone, or a whole ID or certificate number.")
    list_per_page = 50
    # Age, never the birth date: the birth date is the part of the ID number the mask hides.
    readonly_fields = [
        "masked_numbers",
        "age",
        "gender_label",
        "household",
        "consent_recorded_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "masked_numbers", "id_number", "certificate_number", "certificate_valid_until"]}),
        (_("Disability"), {"fields": ["category", "grade", "multiple_categories"]}),
        (_("Where and how to reach"), {"fields": ["street", "address", "household", "phone", "lives_alone"]}),
        (_("Guardian"), {"fields": ["guardian_name", "guardian_relation", "guardian_phone"]}),
        (_("Status"), {"fields": ["status", "status_changed_on"]}),
        (_("Consent"), {"fields": ["consent_basis", "consent_given_on", "consent_recorded_by"]}),
        (_("Other"), {"fields": ["notes", "age", "gender_label", "created_at", "updated_at"]}),
    ]
    change_list_template = "admin/services/person/change_list.html"

    @admin.display(description=_("ID number"))  # not sortable: the order of the numbers is their birth dates
    def masked_id(self, person: Person) -> str:
        return person.masked_id_number

    @admin.display(description=_("age"), ordering="-birth_date")
    def age(self, person: Person) -> int | str:
        return selectors.age_on(person.birth_date, timezone.localdate()) if person.pk else "—"

    def autocomplete_text(self, person: Person, source_field) -> str:
        """A person's option wherever staff pick one: masked ID, age, category and grade, and for an escort, a
        retrofit or a placement whether the rule of that service lets them have it (core.admin_site)."""
        today = timezone.localdate()
        text = _("%(person)s · %(age)d years · %(category)s, %(grade)s") % {
            "person": person,
            "age": selectors.age_on(person.birth_date, today),
            "category": person.get_category_display(),
            "grade": person.get_grade_display(),
        }
        for rule in eligibility.choice_rules(source_field.model._meta.label_lower):
            verdict = (
                _("not eligible for %(service)s") if rule.refusal(person, today) else _("eligible for %(service)s")
            )
            text = f"{text} · {verdict % {'service': rule.label}}"
        return text

    @admin.display(description=_("gender"), ordering="gender")
    def gender_label(self, person: Person) -> str:
        return person.gender_label if person.pk else "—"

    @staticmethod
    def record_url(pk: Any) -> str:
        """Where a link to a person leads (core.admin_links): the full record, whose opening is logged."""
        return reverse("admin:services_person_record", args=[pk])

    @admin.display(description=_("full record"))
    def record_link(self, person: Person) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:services_person_record", args=[person.pk]), _("open record")
        )

    @admin.display(description=_("numbers on file"))
    def masked_numbers(self, person: Person) -> str:
        if person.pk is None:
            return "—"
        return f"{person.masked_id_number} / {person.masked_certificate_number or '—'}"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            hidden = {"masked_numbers"}
        elif not self.has_change_permission(request, obj):
            hidden = {"id_number", "certificate_number"}  # read-only fields would print them in full
        else:
            hidden = set()
        return [(name, {"fields": [f for f in opts["fields"] if f not in hidden]}) for name, opts in self.fieldsets]

    def get_search_results(self, request, queryset, search_term):
        """Whole ID, certificate and phone numbers are matched exactly (indexed); anything else by name.

        A search by number is a reveal (services.registry.reveal); the person autocompletes of every other
        admin come through here too.
        """
        term = search_term.strip()
        if is_number_search(term):
            where = "autocomplete" if request.path.endswith("/autocomplete/") else "admin"
            return reveal.number_search(request, queryset, term, where=where), False
        if PHONE_LIKE.fullmatch(term):
            return queryset.filter(phone=normalise_number(term).replace("-", "")), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a person leaves the registry by a status change, never by deletion

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """An ID number already in the registry: its error links to the person who holds it, where the user may
        reveal numbers and open that record (services.registry.reveal.holder_links, logged as a reveal)."""
        form = context["adminform"].form
        taken = any(error.code == "unique" for error in form.errors.as_data().get("id_number", []))
        number = form.instance.id_number
        holder = Person.objects.filter(id_number=number).exclude(pk=form.instance.pk).first() if taken else None
        links = reveal.holder_links(request, [holder] if holder else [], where="person form")
        if holder is not None and holder.pk in links:
            link = format_html('<a href="{}">{}</a>', links[holder.pk], _("Open the record of the person who holds it"))
            form.add_error("id_number", link)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_actions(self, request):
        return {}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.consent_recorded_by = request.user
        actions.person_save(person=obj, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if str(object_id).isdigit() and selectors.merged_person_for(request.user, object_id) is not None:
            # A merged record is not edited: its page says where it went.
            return redirect("admin:services_person_record", object_id)
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            access_log_record(
                user=request.user, action=AccessLog.Action.OPENED, person=response.context_data["original"]
            )
        return response

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="services_person_import"),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.template_view),
                name="services_person_import_template",
            ),
            path("export.xlsx", self.admin_site.admin_view(self.export_view), name="services_person_export"),
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name="services_person_duplicates"),
            path("merge/", self.admin_site.admin_view(self.merge_view), name="services_person_merge"),
            path("<int:pk>/record/", self.admin_site.admin_view(self.record_view), name="services_person_record"),
        ]
        return own + super().get_urls()

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def record_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The staff page of one person: all the portal knows, newest first; numbers revealed on request."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        person = selectors.merged_person_for(request.user, pk) or selectors.person_get_for(request.user, pk)
        revealed = False
        if request.method == "POST" and "reveal" in request.POST:
            if not request.user.has_perm("services.reveal_id_number"):
                raise PermissionDenied
            access_log_record(user=request.user, action=AccessLog.Action.REVEALED, person=person)
            revealed = True
        else:
            access_log_record(user=request.user, action=AccessLog.Action.OPENED, person=person)
        context = self._context(
            request,
            str(person.name),
            person=person,
            original=person,
            revealed=revealed,
            can_reveal=request.user.has_perm("services.reveal_id_number"),
            can_change=person.merged_into_id is None and self.has_change_permission(request, person),
            age=selectors.age_on(person.birth_date, timezone.localdate()),
            timeline=timeline_links(request, timeline_for(person)),
        )
        response = TemplateResponse(request, "admin/services/person/record.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if not request.user.has_perm("services.view_all_streets"):
            raise PermissionDenied
        result = None
        status = 200
        if request.method == "POST":
            upload = request.FILES.get("file")
            status = 400
            if upload is None:
                messages.error(request, _("Choose an .xlsx file to import."))
            elif too_large := file_too_large(upload.size, "spreadsheet"):
                messages.error(request, too_large)
            else:
                result = spreadsheets.import_persons(data=upload.read(), by=request.user)
                if result.ok:
                    messages.success(
                        request,
                        _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                    )
                    return redirect("admin:services_person_changelist")
        holders = [e.person_id for e in result.errors if e.person_id] if result else []
        links = reveal.holder_links(request, list(Person.objects.filter(pk__in=holders)), where="import")
        rows = [(error, links.get(error.person_id or 0, "")) for error in result.errors] if result else []
        context = self._context(request, _("Import persons from Excel"), result=result, error_rows=rows)
        return TemplateResponse(request, "admin/services/person/import.html", context, status=status)

    def template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return xlsx_response(io.BytesIO(spreadsheets.template_workbook()), "persons-import-template.xlsx")

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The changelist as filtered and searched, masked, as .xlsx."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # A filter the list does not have, or a bad value: as the list itself, not an export of it.
            message = _("The export was not made: a filter in the address is not valid.")
            self.message_user(request, message, messages.ERROR)
            return redirect("admin:services_person_changelist")
        persons = changelist.get_queryset(request)
        count = persons.count()
        query = unquote_plus(request.GET.urlencode())  # decoded, so the log masks every number in it
        access_log_record(user=request.user, action=AccessLog.Action.EXPORTED, detail=f"{count} persons; {query}")
        params = {"query": request.GET.urlencode()}
        return export_response(
            request, kind=PERSONS_EXPORT, params=params, records=spreadsheets.export_records(persons), rows=count
        )

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = selectors.likely_duplicates_for(request.user)
        return TemplateResponse(
            request,
            "admin/services/person/duplicates.html",
            self._context(
                request,
                _("Likely duplicates"),
                groups=groups,
                can_merge=request.user.has_perm(actions.MERGE_PERMISSION),
            ),
        )

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm merging one duplicate record into another (GET shows both, POST merges)."""
        if not request.user.has_perm(actions.MERGE_PERMISSION):
            raise PermissionDenied
        posted = request.method == "POST"
        form = PersonMergeForm(request.POST if posted else request.GET, user=request.user)
        form.is_valid()
        kept, other = form.cleaned_data.get("kept"), form.cleaned_data.get("other")
        if kept is None or other is None or kept == other:
            messages.error(request, _("Choose two different records from the list of likely duplicates."))
            return redirect("admin:services_person_duplicates")
        if posted and form.is_valid():
            try:
                actions.person_merge(kept=kept, other=other, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The records were merged."))
                return redirect("admin:services_person_record", kept.pk)
        context = self._context(
            request,
            _("Merge two records"),
            form=form,
            show_errors=posted,
            kept=kept,
            other=other,
            rows=selectors.person_merge_preview(kept=kept, other=other),
            conflicts=selectors.merge_conflicts(kept=kept, other=other),
        )
        response = TemplateResponse(request, "admin/services/person/merge.html", context, status=400 if posted else 200)
        response["Cache-Control"] = "no-store"
        return response


class HouseholdMemberInline(ReadOnlyInline):
    model = Person
    fk_name = "household"
    fields = ["name", "masked_id", "category", "status"]
    verbose_name = _("member")
    verbose_name_plural = _("members")

    @admin.display(description=_("ID number"))
    def masked_id(self, person: Person) -> str:
        return person.masked_id_number

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(StreetScopedAdmin):
    """A household follows its members' street and address (services.registry.households): shown here, never typed."""

    list_display = ["__str__", "street", "member_count"]
    list_filter = ["street"]
    list_select_related = ["street"]
    search_fields = ["address"]
    fields = ["street", "address", "created_at"]
    readonly_fields = fields
    inlines = [HouseholdMemberInline]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, household: Household) -> int:
        return household.member_count

    def has_add_permission(self, request) -> bool:
        return False  # made from a person's address when it is saved or imported

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["code"]

    def has_add_permission(self, request) -> bool:
        return False  # the 14 streets are set by a data migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["code", "name_zh", "name_en"]


class StreetAssignmentInline(admin.TabularInline):
    model = StreetAssignment
    extra = 1
    autocomplete_fields = ["street"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [StreetAssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "roles"]
    list_filter = ["is_active", "is_staff", "groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return join_list(g.name for g in user.groups.all())


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyLogAdmin):
    """Auditors search who opened whose record: by user, person, date range and action."""

    list_display = ["at", "user", "action", "person", "detail"]
    list_filter = ["action", ("at", DateRangeFilter)]
    list_select_related = ["user", "person"]
    search_fields = ["user__username", "person__name"]
    search_help_text = _("User name or the person's name.")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyLogAdmin):
    """Auditors search what was done: by user, action code, record, person and date range."""

    list_display = ["at", "user", "code", "model", "object_id", "data"]
    list_filter = ["code", ("at", DateRangeFilter)]
    list_select_related = ["user"]
    search_fields = ["code", "user__username", "object_id"]
    search_help_text = _("User name, action code, record id, or the person's name.")
    date_hierarchy = "at"
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Also the entries about persons of that name (their record id is the person's id)."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            persons = Person.objects.filter(name__icontains=term).annotate(key=Cast("pk", CharField())).values("key")
            results |= queryset.filter(model=Person._meta.label_lower, object_id__in=persons)
        return results, duplicates


admin.site.site_header = _("Jing'an District Disabled Persons' Federation")


admin.site.site_title = _("Federation portal")


admin.site.index_title = _("Administration")


def _exported_persons(user: User, params: dict[str, Any]):
    """The persons the list shows `user` for the query string of the export (a job lists them again so)."""
    return spreadsheets.export_records(changelist_queryset(admin.site.get_model_admin(Person), user, params["query"]))


register(
    Exporter(
        kind=PERSONS_EXPORT,
        title=lambda: str(_("persons")),
        columns=spreadsheets.EXPORT_COLUMNS,
        records=_exported_persons,
        filename=lambda params: "persons.xlsx",
    )
)
