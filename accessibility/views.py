"""Field pages for committee members (their streets' home retrofits, applying and withdrawing), and the public
directory of accessible places with its CSV and JSON downloads."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.forms import add_action_errors
from core.guards import page_required
from core.input import parse_int
from core.pagination import page_links, page_number
from services.models import FollowUp
from services.registry import selectors as registry
from services.registry.households import household_of
from services.registry.views import FIELD_PERMISSION

from . import actions, selectors, stats
from .forms import ApplyForm, PlaceFilterForm, WithdrawForm
from .models import Retrofit
from .selectors import PlaceKind

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
                # After a conflict, the case as it is now.
                retrofit = form.show_refusal(exc, lambda: selectors.retrofit_get_for(request.user, pk)) or retrofit
            else:
                messages.success(request, _("The application was withdrawn."))
                return redirect("field_retrofits:list")
    return render(
        request, "accessibility/field/retrofit_withdraw.html", {"retrofit": retrofit, "form": form}, status=status
    )


# --- the public directory of accessible places ----------------------------------------------------------------

PLACES_PAGE_SIZE = 25


def _place_filters(request: HttpRequest) -> tuple[PlaceFilterForm, dict[str, str] | None]:
    """The directory's filter form and its street code and kind ("" for all), or None when a value is unknown."""
    form = PlaceFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, {"street_code": form.cleaned_data["street"], "kind": form.cleaned_data["kind"]}


def _api_url(name: str, query: str) -> str:
    language = urlencode({"lang": get_language()})
    return f"{reverse(name)}?{query}&{language}" if query else f"{reverse(name)}?{language}"


@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    """The public directory: sign-language points, rehabilitation homes and public ramps, by street and kind."""
    form, filters = _place_filters(request)
    context: dict[str, Any] = {"form": form, "nav": "places", "page": None}
    if filters is None:
        return render(request, "accessibility/public/place_list.html", context, status=400)
    places = selectors.public_place_list(**filters)
    page = Paginator(places, PLACES_PAGE_SIZE).get_page(page_number(request.GET.get("page", "1")))
    chosen = {"street": filters["street_code"], "kind": filters["kind"]}
    query = urlencode({name: value for name, value in chosen.items() if value})
    context.update(
        page=page,
        page_links=page_links(page),
        query=query,
        filtered=any(filters.values()),
        kind_label=PlaceKind(filters["kind"]).label if filters["kind"] else "",
        # The downloads are the open-data API's (reports.api, dataset "places"), in the reader's language.
        csv_url=_api_url("api:places_csv", query),
        json_url=_api_url("api:places", query),
    )
    return render(request, "accessibility/public/place_list.html", context)
