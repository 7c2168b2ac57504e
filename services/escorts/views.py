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
from core.users import has_name, user_display
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


def _volunteer_page(request: HttpRequest, *, refused: dict | None = None) -> HttpResponse:
    """The volunteer's escort cards; `refused` (booking, field, message, value) marks the field a post got wrong."""
    today = timezone.localdate()
    hours = escorts_selectors.volunteer_hours(year=today.year).filter(pk=request.user.volunteer.pk).first()
    context = {
        "cards": escorts_selectors.volunteer_escort_cards_for(request.user),
        "minutes_this_year": hours.minutes if hours else 0,
        "escorts_this_year": hours.escorts if hours else 0,
        "now": timezone.now(),
        "refused": refused or {},
    }
    return render(request, "services/volunteer/home.html", context, status=400 if refused else 200)


@volunteer_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """A volunteer's escorts still to be given, soonest first: where and when to meet, what the patient needs,
    and how to reach them as far as they agreed."""
    return _volunteer_page(request)


@volunteer_required
@require_POST
def volunteer_outcome(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    """Record a completed escort (minutes), a no-show, or decline the assignment (reason).

    A refused field (no reason, no minutes) is answered on the page itself, next to that escort's field, in
    our own words: the forms carry novalidate, so the browser's untranslated bubble never stands in for it.
    """
    booking = get_object_or_404(EscortBooking, pk=pk, volunteer__user=request.user)
    form = VolunteerOutcomeForm(request.POST)
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ValidationError({field: errors})
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
        field = next(iter(getattr(exc, "error_dict", {})), "")
        if field in ("minutes", "reason"):
            refused = {
                "booking": booking.pk,
                "field": field,
                "message": " ".join(exc.messages),
                "value": request.POST.get(field, "")[:200],
            }
            return _volunteer_page(request, refused=refused)
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteer:home")


@volunteer_required
def volunteer_certificate(request: HttpRequest, year: int) -> HttpResponse:
    """A printable certificate of the volunteer's escort service in `year`, from the hours ledger."""
    if parse_year(year) is None:
        raise Http404
    hours = escorts_selectors.volunteer_hours(year=year).filter(pk=request.user.volunteer.pk).first()
    volunteer = request.user.volunteer
    context = {
        "volunteer": volunteer,
        # A certificate names the person; an account without a name gets a note instead of its login.
        "name": user_display(volunteer.user) if has_name(volunteer.user) else "",
        "year": year,
        "escorts": hours.escorts if hours else 0,
        "hours": round((hours.minutes if hours else 0) / 60, 1),
        "issued_on": timezone.localdate(),
    }
    return render(request, "services/volunteer/certificate.html", context)
