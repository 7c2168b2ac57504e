"""The field app for committee members: their street's people, a person's page, filing a visit."""

import json
import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.forms import add_action_errors
from core.pagination import BoundedCountPaginator
from services.escorts import selectors as escorts_selectors
from services.models import AccessLog, FollowUp
from services.registry import eligibility, reveal
from services.registry import selectors as registry_selectors
from services.registry.access_log import access_log_record
from services.registry.identity import is_number_search
from services.registry.views import PAGE_SIZE, field_member_required
from services.visits import actions, extensions
from services.visits import selectors as visits_selectors
from services.visits.forms import FollowUpCloseIneligibleForm, HomeVisitForm

# Workbox's browser builds, in the order they depend on each other (npm packages, settings.STATICFILES_DIRS).
WORKBOX_MODULES = ("core", "routing", "strategies", "background-sync")
# What the field pages load, kept by the service worker when it is installed so a page opened offline works.
SERVICE_WORKER_STATIC = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/portal/portal.css",
    "js/services/visit_draft.js",
    "js/services/field_offline.js",
)


@field_member_required
def my_street(request: HttpRequest) -> HttpResponse:
    """The people of the member's streets: search, flags, last visit, the longest unvisited first."""
    search = request.GET.get("q", "")[:50]
    order = "stale" if request.GET.get("order") == "stale" else "name"
    stale_only = request.GET.get("stale") == "1"
    if is_number_search(search):  # a reveal: refused to committee members, logged for others
        persons = visits_selectors.field_person_list_for(request.user, order=order, stale_only=stale_only)
        persons = reveal.number_search(request, persons, search, where="field")
    else:
        persons = visits_selectors.field_person_list_for(
            request.user, search=search, order=order, stale_only=stale_only
        )
    wanted = request.GET.get("page")
    page = BoundedCountPaginator(persons, PAGE_SIZE, wanted_page=wanted).get_page(wanted)
    today = timezone.localdate()
    rows = [(p, registry_selectors.age_on(p.birth_date, today)) for p in page.object_list]
    # The pager's links keep the search, the filter and the order.
    query = urlencode([(k, v) for k, v in (("q", search), ("stale", "1" if stale_only else ""), ("order", order)) if v])
    context = {"page": page, "rows": rows, "search": search, "order": order, "stale_only": stale_only, "query": query}
    return render(request, "services/field/my_street.html", context)


@field_member_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What a visitor needs to know about one person, their visits and open follow-ups."""
    person = registry_selectors.person_get_for(request.user, pk)
    access_log_record(user=request.user, action=AccessLog.Action.OPENED, person=person, detail="field")
    follow_ups = list(visits_selectors.person_open_follow_ups(person))
    today = timezone.localdate()
    services = eligibility.eligibility_for(person, today)
    reasons = {service.need: service.reason for service in services}
    context = {
        "person": person,
        "age": registry_selectors.age_on(person.birth_date, today),
        "eligibility": services,
        "escort_reason": reasons.get("escort", ""),
        "visits": visits_selectors.person_visits(person),
        # A need the person may not have offers no booking: its reason, and closing it with that reason.
        "follow_ups": [(f, extensions.need_action_for(f), reasons.get(f.need, "")) for f in follow_ups],
        "escorts": escorts_selectors.person_escorts(person),
        "panels": extensions.panels_for(person, request.user),
    }
    return render(request, "services/field/person_detail.html", context)


@field_member_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """File a home visit; a repeated submission of the same form files it once."""
    person = registry_selectors.person_get_for(request.user, pk)
    today = timezone.localdate()
    services = eligibility.eligibility_for(person, today)
    ineligible = frozenset(service.need for service in services if not service.eligible)
    if request.method == "POST":
        form = HomeVisitForm(request.POST, ineligible=ineligible)
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
            initial={"visited_on": today, "mode": "home", "submission_key": uuid.uuid4()}, ineligible=ineligible
        )
        status = 200
    context = {
        "person": person,
        "form": form,
        "age": registry_selectors.age_on(person.birth_date, today),
        "eligibility": services,
    }
    return render(request, "services/field/visit_form.html", context, status=status)


@field_member_required
def follow_up_detail(request: HttpRequest, follow_up: int) -> HttpResponse:
    """One open need: whether the person may have the service, and what can be done: book or apply for it,
    or, when the rule says no, close it with the reason (and the services they may have instead)."""
    need = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("person", "visit"),
        pk=follow_up,
        status=FollowUp.Status.OPEN,
    )
    person = need.person
    today = timezone.localdate()
    services = eligibility.eligibility_for(person, today)
    reason = next((service.reason for service in services if service.need == need.need), "")
    form = FollowUpCloseIneligibleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.follow_up_close_ineligible(follow_up=need, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The need is closed with its reason."))
            return redirect("field:person", pk=person.pk)
    context = {
        "person": person,
        "need": need,
        "reason": reason,
        "action": None if reason else extensions.need_action_for(need),
        "age": registry_selectors.age_on(person.birth_date, today),
        # The other services: this need's own answer is said once, above them.
        "eligibility": [service for service in services if service.need != need.need],
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "services/field/follow_up.html", context, status=status)


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The field app's service worker, served from /field/ so that its scope is the field app alone.

    Public like a static file: it holds no personal data, and the browser checks it for updates even
    after the session has ended.
    """
    visit_path = reverse("field:visit", args=[0])
    config = {
        "idleSeconds": settings.FIELD_SESSION_IDLE_SECONDS,
        "scope": reverse("field:home"),
        "streetUrl": reverse("field:home"),
        "offlineUrl": reverse("field:offline"),
        "savedUrl": reverse("field:saved_offline"),
        "loginPath": reverse("login"),
        "swPath": request.path,
        # "/field/persons/0/visit/" with the 0 as the capture: the visit form's address, and its person's.
        "visitPattern": "^" + re.escape(visit_path).replace("0", r"(\d+)", 1) + "$",
        "personPattern": "^" + re.escape(reverse("field:person", args=[0])).replace("0", r"(\d+)", 1) + "$",
        "staticUrls": [static(path) for path in SERVICE_WORKER_STATIC],
        "sessionEnded": {
            "lang": get_language(),
            "title": _("Your session has ended"),
            "text": _("What this phone kept has been erased. Log in again when you have a signal."),
            "script": static("js/services/field_offline.js"),
        },
    }
    workbox = [static(f"vendor/workbox/workbox-{name}.prod.js") for name in WORKBOX_MODULES]
    main = static("js/services/field_sw.js")
    context = {"config": json.dumps(config, ensure_ascii=False), "workbox": workbox, "main": main}
    return render(request, "services/field/sw.js", context, content_type="text/javascript; charset=utf-8")


@field_member_required
def offline(request: HttpRequest) -> HttpResponse:
    """What the phone shows, without a signal, for a page it has not kept (kept by the service worker)."""
    return render(request, "services/field/offline.html")


@field_member_required
def saved_offline(request: HttpRequest) -> HttpResponse:
    """What the phone shows when a visit was filed without a signal (kept by the service worker)."""
    return render(request, "services/field/saved_offline.html")
