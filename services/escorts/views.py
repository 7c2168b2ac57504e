"""Escort pages: a committee member's escort request and the volunteers' own pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_action_errors
from core.guards import page_required
from core.input import parse_int, parse_year
from services.escorts import actions as escorts
from services.escorts import selectors as escorts_selectors
from services.escorts.forms import EscortDayForm, EscortRequestForm, VolunteerOutcomeForm
from services.models import EscortBooking, FollowUp
from services.registry import eligibility
from services.registry import selectors as registry_selectors
from services.registry.views import field_member_required


@field_member_required
def escort_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee member books a clinic escort for a person of their street, possibly from a visit's need."""
    person = registry_selectors.person_get_for(request.user, pk)
    follow_up = None
    if request.GET.get("follow_up") or request.POST.get("follow_up"):
        follow_up = get_object_or_404(
            FollowUp.objects.visible_to(request.user),
            pk=parse_int(request.GET.get("follow_up") or request.POST.get("follow_up")),
            person=person,
            need=FollowUp.Need.ESCORT,
            status=FollowUp.Status.OPEN,
        )
    today = timezone.localdate()
    reason = escorts.escort_ineligibility(person, today)
    context = {
        "person": person,
        "follow_up": follow_up,
        "reason": reason,
        "age": registry_selectors.age_on(person.birth_date, today),
        # The other services: the escort's own answer is said once, above them.
        "eligibility": [e for e in eligibility.eligibility_for(person, today) if e.need != FollowUp.Need.ESCORT],
    }
    if reason:
        # Nothing is offered that would then be refused: the rule's reason, and what the person may have instead.
        return render(
            request, "services/field/escort_form.html", context, status=400 if request.method == "POST" else 200
        )
    # A day first, then the hospital and time of that day's sessions: a short page, not every session at once.
    days = escorts_selectors.escort_days_open_for_booking(now=timezone.now())
    if request.method == "POST":
        day_form = EscortDayForm(request.POST, days=days)
    else:
        day_form = EscortDayForm(request.GET if "day" in request.GET else None, days=days)
    day = day_form.cleaned_data["day"] if day_form.is_bound and day_form.is_valid() else None
    form = None
    if day is not None:
        form = EscortRequestForm(
            request.POST if request.method == "POST" else None, initial={"need": escorts.default_need(person)}, day=day
        )
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
    context.update({"days": days, "day": day, "day_form": day_form, "form": form})
    return render(request, "services/field/escort_form.html", context, status=status)


# Logged in with a volunteer profile (else 403); never cached.
volunteer_required = page_required(test=lambda user: hasattr(user, "volunteer"))


@volunteer_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """A volunteer's escorts still to be given, soonest first, with what each patient needs."""
    today = timezone.localdate()
    hours = escorts_selectors.volunteer_hours(year=today.year).filter(pk=request.user.volunteer.pk).first()
    context = {
        "bookings": escorts_selectors.volunteer_assignments_for(request.user),
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
    hours = escorts_selectors.volunteer_hours(year=year).filter(pk=request.user.volunteer.pk).first()
    context = {
        "volunteer": request.user.volunteer,
        "year": year,
        "escorts": hours.escorts if hours else 0,
        "hours": round((hours.minutes if hours else 0) / 60, 1),
        "issued_on": timezone.localdate(),
    }
    return render(request, "services/volunteer/certificate.html", context)
