"""Field pages for committee members: their streets' home retrofits, applying and withdrawing."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.concurrency import is_conflict
from core.forms import add_action_errors
from core.guards import page_required
from core.input import parse_int
from services.models import FollowUp
from services.registry import selectors as registry
from services.registry.households import household_of
from services.registry.views import FIELD_PERMISSION

from . import actions, selectors, stats
from .forms import ApplyForm, WithdrawForm
from .models import Retrofit

PAGE_SIZE = 25
VIEW = "accessibility.view_retrofit"


@page_required(FIELD_PERMISSION, VIEW)
def retrofit_list(request: HttpRequest) -> HttpResponse:
    """The cases of the member's streets by status, this year's pace and checks on use, and the retrofit needs
    still waiting for an application."""
    retrofits = selectors.retrofit_list_for(request.user)
    counts = selectors.status_counts(retrofits)
    status = request.GET.get("status", "")
    if status in Retrofit.Status.values:
        retrofits = retrofits.filter(status=status)
    else:
        status = ""
    page = Paginator(retrofits, PAGE_SIZE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    context = {
        "year": year,
        "median_days": stats.median_days_to_acceptance(year, user=request.user),
        "follow_ups_done": stats.follow_ups_done_in(year, user=request.user),
        "page": page,
        "status": status,
        "query": urlencode({"status": status}) if status else "",  # the pager's links keep the status
        "statuses": [(value, label, counts[value]) for value, label in Retrofit.Status.choices],
        "total": sum(counts.values()),
        "needs": list(selectors.retrofit_needs_for(request.user)[:50]),
        "can_apply": request.user.has_perm(actions.APPLY),
    }
    return render(request, "accessibility/field/retrofit_list.html", context)


@page_required(FIELD_PERMISSION, actions.APPLY)
def retrofit_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply for a person's home retrofit, from a home visit's retrofit need when one is given."""
    person = registry.person_get_for(request.user, pk)
    follow_up = None
    follow_up_id = parse_int(request.GET.get("follow_up") or request.POST.get("follow_up"))
    if follow_up_id is not None:
        follow_up = FollowUp.objects.visible_to(request.user).filter(pk=follow_up_id, person=person).first()
    form = ApplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.retrofit_apply(person=person, by=request.user, from_follow_up=follow_up, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The home retrofit application was filed."))
                return redirect("field:person", pk=person.pk)
    household = household_of(person)
    context = {
        "person": person,
        "form": form,
        "follow_up": follow_up,
        "data": {
            "retrofits": list(selectors.retrofits_for_person(person)),
            "household": household,
            "home_retrofits": list(selectors.retrofits_for_household(household, but=person)) if household else [],
        },
    }
    return render(request, "accessibility/field/retrofit_apply.html", context, status=status)


@page_required(FIELD_PERMISSION, actions.APPLY)
def retrofit_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an application that is still waiting for its home assessment."""
    retrofit = selectors.retrofit_get_for(request.user, pk)
    form = WithdrawForm(request.POST or None, retrofit=retrofit)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.retrofit_advance(
                    retrofit=retrofit,
                    to=Retrofit.Status.WITHDRAWN,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    **form.seen(),
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
                if is_conflict(exc):
                    retrofit = selectors.retrofit_get_for(request.user, pk)  # show the case as it is now
                    form.show_version_of(retrofit)
            else:
                messages.success(request, _("The application was withdrawn."))
                return redirect("field_retrofits:list")
    return render(
        request, "accessibility/field/retrofit_withdraw.html", {"retrofit": retrofit, "form": form}, status=status
    )
