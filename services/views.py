"""The field app for committee members (people, visits, escorts, data quality) and the volunteers' pages."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.forms import add_action_errors
from core.guards import page_required
from core.input import parse_int, parse_year

from . import actions, escorts, extensions, reveal, selectors
from .access_log import access_log_record
from .forms import EscortRequestForm, HomeVisitForm, VolunteerOutcomeForm
from .identity import is_number_search
from .models import AccessLog, EscortBooking, FollowUp

FIELD_PERMISSION = "services.use_field_app"
PAGE_SIZE = 25


# Logged in (else to the login page) and allowed the field app (else 403); never cached.
field_member_required = page_required(FIELD_PERMISSION)


@field_member_required
def my_street(request: HttpRequest) -> HttpResponse:
    """The people of the member's streets: search, flags, last visit, the longest unvisited first."""
    search = request.GET.get("q", "")[:50]
    order = "stale" if request.GET.get("order") == "stale" else "name"
    stale_only = request.GET.get("stale") == "1"
    if is_number_search(search):  # a reveal: refused to committee members, logged for others
        persons = selectors.field_person_list_for(request.user, order=order, stale_only=stale_only)
        persons = reveal.number_search(request, persons, search, where="field")
    else:
        persons = selectors.field_person_list_for(request.user, search=search, order=order, stale_only=stale_only)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(p, selectors.age_on(p.birth_date, today)) for p in page.object_list]
    context = {"page": page, "rows": rows, "search": search, "order": order, "stale_only": stale_only}
    return render(request, "services/field/my_street.html", context)


@field_member_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What a visitor needs to know about one person, their visits and open follow-ups."""
    person = selectors.person_get_for(request.user, pk)
    access_log_record(user=request.user, action=AccessLog.Action.OPENED, person=person, detail="field")
    follow_ups = list(selectors.person_open_follow_ups(person))
    context = {
        "person": person,
        "age": selectors.age_on(person.birth_date, timezone.localdate()),
        "visits": selectors.person_visits(person),
        "follow_ups": [(f, extensions.need_action_for(f)) for f in follow_ups],
        "escorts": selectors.person_escorts(person),
        "panels": extensions.panels_for(person, request.user),
    }
    return render(request, "services/field/person_detail.html", context)


@field_member_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """File a home visit; a repeated submission of the same form files it once."""
    person = selectors.person_get_for(request.user, pk)
    if request.method == "POST":
        form = HomeVisitForm(request.POST)
        if form.is_valid():
            try:
                _visit, created = actions.home_visit_record(person=person, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                if created:
                    messages.success(
                        request,
                        _("Visit filed with %(count)d follow-ups.") % {"count": len(form.cleaned_data["needs"])},
                    )
                else:
                    messages.info(request, _("This visit was already filed; nothing was added."))
                return redirect("field:person", pk=person.pk)
        status = 400
    else:
        form = HomeVisitForm(
            initial={"visited_on": timezone.localdate(), "mode": "home", "submission_key": uuid.uuid4()}
        )
        status = 200
    return render(request, "services/field/visit_form.html", {"person": person, "form": form}, status=status)


@login_required
@never_cache
def data_quality(request: HttpRequest) -> HttpResponse:
    """Per street: visit coverage, lost contact, unvisited people, certificates, duplicates; then unusable phones."""
    if not (request.user.has_perm(FIELD_PERMISSION) or request.user.has_perm("services.view_all_streets")):
        raise PermissionDenied
    today = timezone.localdate()
    context = {
        "streets": selectors.data_quality_for(request.user, today=today),
        "bad_phones": selectors.persons_with_bad_phone_for(request.user),
        "today": today,
    }
    return render(request, "services/field/data_quality.html", context)


@field_member_required
def escort_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee member books a clinic escort for a person of their street, possibly from a visit's need."""
    person = selectors.person_get_for(request.user, pk)
    follow_up = None
    if request.GET.get("follow_up") or request.POST.get("follow_up"):
        follow_up = get_object_or_404(
            FollowUp.objects.visible_to(request.user),
            pk=parse_int(request.GET.get("follow_up") or request.POST.get("follow_up")),
            person=person,
            need=FollowUp.Need.ESCORT,
            status=FollowUp.Status.OPEN,
        )
    initial = {"need": escorts.default_need(person)}
    form = EscortRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            booking = escorts.escort_booking_create(
                person=person,
                slot=form.cleaned_data["slot"],
                need=form.cleaned_data["need"],
                services=form.cleaned_data["services"],
                department=form.cleaned_data["department"],
                by=request.user,
                from_follow_up=follow_up,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Escort booked: %(slot)s.") % {"slot": booking.slot})
            return redirect("field:person", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    context = {"person": person, "form": form, "follow_up": follow_up}
    return render(request, "services/field/escort_form.html", context, status=status)


# Logged in with a volunteer profile (else 403); never cached.
volunteer_required = page_required(test=lambda user: hasattr(user, "volunteer"))


@volunteer_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """A volunteer's escorts still to be given, soonest first, with what each patient needs."""
    today = timezone.localdate()
    hours = selectors.volunteer_hours(year=today.year).filter(pk=request.user.volunteer.pk).first()
    context = {
        "bookings": selectors.volunteer_assignments_for(request.user),
        "minutes_this_year": hours.minutes if hours else 0,
        "escorts_this_year": hours.escorts if hours else 0,
        "now": timezone.now(),
    }
    return render(request, "services/volunteer/home.html", context)


@volunteer_required
@require_POST
def volunteer_outcome(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    """Record a completed escort (minutes), a no-show, or decline the assignment (reason)."""
    booking = get_object_or_404(EscortBooking, pk=pk, volunteer__user=request.user)
    form = VolunteerOutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(next(iter(form.errors.values())))
        if outcome == "complete":
            escorts.escort_booking_complete(booking=booking, by=request.user, minutes=form.cleaned_data["minutes"] or 0)
            messages.success(request, _("Thank you: the escort is recorded."))
        elif outcome == "no-show":
            escorts.escort_booking_no_show(booking=booking, by=request.user)
            messages.success(request, _("Recorded that the patient did not come."))
        else:
            escorts.escort_booking_decline(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Declined: staff will find another volunteer."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteer:home")


@volunteer_required
def volunteer_certificate(request: HttpRequest, year: int) -> HttpResponse:
    """A printable certificate of the volunteer's escort service in `year`, from the hours ledger."""
    if parse_year(year) is None:
        raise Http404
    hours = selectors.volunteer_hours(year=year).filter(pk=request.user.volunteer.pk).first()
    context = {
        "volunteer": request.user.volunteer,
        "year": year,
        "escorts": hours.escorts if hours else 0,
        "hours": round((hours.minutes if hours else 0) / 60, 1),
        "issued_on": timezone.localdate(),
    }
    return render(request, "services/volunteer/certificate.html", context)
