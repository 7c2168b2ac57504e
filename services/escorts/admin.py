"""Admin of clinic escorts: hospitals, services, volunteers, sessions, bookings and reminders."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import BoundedCountAdminMixin, NoDeleteMixin, ReadOnlyInline, ReadOnlyLogAdmin, adopt, bulk_action
from core.admin_filters import year_filter
from core.input import FIRST_YEAR, LAST_YEAR, YEAR_OUT_OF_RANGE, parse_year
from services.escorts import actions as escorts
from services.escorts import selectors
from services.models import (
    ClinicHours,
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    Hospital,
    Reminder,
    TeamService,
    Volunteer,
    VolunteerDecline,
    VolunteerTeam,
)
from services.registry.admin import StreetScopedAdmin
from services.registry.admin_corrections import CorrectionActionsMixin, correction_action


class ClinicHoursInline(admin.TabularInline):
    model = ClinicHours
    extra = 0


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "clinic", "active"]
    search_fields = ["name_zh", "name_en"]
    inlines = [ClinicHoursInline]


@admin.register(EscortService)
class EscortServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "party_vanguard"]
    search_fields = ["name"]


@admin.register(TeamService)
class TeamServiceAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The services the teams report (occasions and person-times); the report counts the party vanguard teams'."""

    list_display = ["served_on", "team", "place", "person_times"]
    list_filter = ["team__party_vanguard", "team", year_filter("served_on", _("year"))]
    list_select_related = ["team"]
    search_fields = ["place", "team__name"]
    date_hierarchy = "served_on"
    fields = ["team", "served_on", "place", "person_times"]

    def save_model(self, request, obj, form, change):
        escorts.team_service_save(service=obj, by=request.user)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "sign_language", "guide_trained", "active"]
    list_filter = ["active", "sign_language", "guide_trained", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    autocomplete_fields = ["user", "team"]
    change_list_template = "admin/services/volunteer/change_list.html"

    def get_urls(self):
        hours = path("hours/", self.admin_site.admin_view(self.hours_view), name="services_volunteer_hours")
        return [hours, *super().get_urls()]

    def hours_view(self, request: HttpRequest) -> HttpResponse:
        """The volunteer hours ledger for a year: escorts completed and hours served."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = parse_year(request.GET["year"]) if "year" in request.GET else timezone.localdate().year
        if year is None:
            self.message_user(request, YEAR_OUT_OF_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR}, messages.ERROR)
            year = timezone.localdate().year
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Volunteer hours in %(year)d") % {"year": year},
            "year": year,
            "volunteers": selectors.volunteer_hours(year=year),
        }
        return TemplateResponse(request, "admin/services/volunteer/hours.html", context)


@admin.register(EscortSlot)
class EscortSlotAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "hospital", "capacity", "taken", "cancelled"]
    list_filter = ["hospital", "cancelled", ("starts_at", admin.DateFieldListFilter)]
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("hospital")
            .annotate(n_taken=Count("bookings", filter=Q(bookings__status__in=escorts.TAKES_A_PLACE)))
        )

    @admin.display(description=_("taken"), ordering="n_taken")
    def taken(self, slot: EscortSlot) -> int:
        return slot.n_taken


class EscortStatusChangeInline(ReadOnlyInline):
    model = EscortStatusChange
    fields = ["at", "old", "new", "by", "note"]
    related = ["by"]  # shown by name: loaded with the rows, not one query each


class VolunteerDeclineInline(EscortStatusChangeInline):
    model = VolunteerDecline
    fields = ["at", "volunteer", "reason"]
    related = ["volunteer__user"]


class EscortBookingAdminForm(forms.ModelForm):
    class Meta:
        model = EscortBooking
        fields = ["person", "slot", "need", "services", "department", "eligibility_override", "volunteer"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is None:
            self.fields.pop("volunteer", None)
            if "slot" in self.fields:
                self.fields["slot"].queryset = selectors.escort_slots_open_for_booking(now=timezone.now())
        elif "volunteer" in self.fields:
            # A booking keeps its session (the field is disabled): its one session is the choice, not every session
            # ever held (thousands at district scale, each an option naming its hospital), and it still validates.
            session = EscortSlot.objects.filter(pk=self.instance.slot_id)
            self.fields["slot"].queryset = session.select_related("hospital")
            assigned = Volunteer.objects.filter(pk=self.instance.volunteer_id)
            kept = ["person", "slot", "need", "services", "department", "eligibility_override"]
            if self.instance.is_open:
                year = timezone.localtime(self.instance.slot.starts_at).year
                suggestions = selectors.volunteer_suggestions(self.instance, year=year)
                self.fields["volunteer"].queryset = (suggestions | assigned).distinct()
                self.fields["volunteer"].help_text = _(
                    "Only active volunteers with the skills asked who are free then."
                )
            else:
                # Only a booked escort can be assigned (escort_booking_assign): a closed one shows who went, without
                # weighing every volunteer's year of escorts for a choice nobody can make.
                self.fields["volunteer"].queryset = assigned.select_related("user")
                kept.append("volunteer")
            for name in kept:
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("person") and cleaned.get("slot"):
            problem = escorts.escort_booking_problem(
                person=cleaned["person"],
                slot=cleaned["slot"],
                services=list(cleaned.get("services") or []),
                by=self.user,
                override_reason=cleaned.get("eligibility_override", ""),
            )
            if problem is not None:
                raise problem
        return cleaned


@admin.register(EscortBooking)
class EscortBookingAdmin(CorrectionActionsMixin, BoundedCountAdminMixin, StreetScopedAdmin):
    """Staff book escorts and assign volunteers here; every write goes through services.escorts.actions."""

    form = EscortBookingAdminForm
    list_display = ["when", "hospital", "person", "need", "volunteer", "status"]
    list_filter = ["status", "need", "slot__hospital", "street"]
    list_select_related = ["slot__hospital", "person", "volunteer__user"]
    # Issue #20: a page of 50 rows (as the person and retrofit lists), counted up to a bound, not twice in full.
    list_per_page = 50
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["status", "minutes", "reminded_at", "requested_by"]
    inlines = [EscortStatusChangeInline, VolunteerDeclineInline]
    actions = ["cancel_selected", "void_selected"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "volunteer"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class FormWithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    @admin.display(description=_("appointment"), ordering="slot__starts_at")
    def when(self, booking: EscortBooking):
        return timezone.localtime(booking.slot.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("hospital"), ordering="slot__hospital")
    def hospital(self, booking: EscortBooking):
        return booking.slot.hospital

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                booking = escorts.escort_booking_create(
                    person=form.cleaned_data["person"],
                    slot=form.cleaned_data["slot"],
                    need=form.cleaned_data["need"],
                    services=form.cleaned_data["services"],
                    department=form.cleaned_data.get("department", ""),
                    override_reason=form.cleaned_data.get("eligibility_override", ""),
                    by=request.user,
                )
                adopt(obj, booking)  # the admin logs and redirects with the booking the action filed
            elif "volunteer" in form.changed_data and form.cleaned_data.get("volunteer"):
                escorts.escort_booking_assign(booking=obj, volunteer=form.cleaned_data["volunteer"], by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        """The actions save the services; inlines here are read-only."""

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused under the lock (the last place went meanwhile): the message says why
            return redirect("admin:services_escortbooking_changelist")
        return super().response_add(request, obj, post_url_continue)

    cancel_selected = bulk_action(
        _("Cancel the selected escorts"),
        do=lambda booking, by: escorts.escort_booking_cancel(booking=booking, by=by),
        done=_("%(count)d escorts cancelled."),
    )
    void_selected = correction_action(
        _("Void the selected closed escorts (a correction, with a reason)"),
        title=_("Void escorts entered in error"),
        related=("slot__hospital", "person"),
        correct=lambda booking, by, data: escorts.escort_booking_correct(booking=booking, by=by, reason=data["reason"]),
    )


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "booking", "recipient", "channel", "address"]
    list_filter = ["recipient", "channel"]
    list_select_related = ["booking__slot__hospital", "booking__person"]
