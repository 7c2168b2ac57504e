"""Registry pages of the field app (data quality) and its page guard."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.admin_links import admin_links, link_for
from core.guards import page_required
from core.pagination import BoundedCountPaginator
from services.models import Street
from services.registry import selectors
from services.registry.scoping import sees_all_streets, street_ids_for

FIELD_PERMISSION = "services.use_field_app"


PAGE_SIZE = 25  # rows per page of the field app's lists


# Logged in (else to the login page) and allowed the field app (else 403); never cached.
field_member_required = page_required(FIELD_PERMISSION)


def _may_see_data_quality(request: HttpRequest) -> None:
    """Raises PermissionDenied unless the user has the field app or sees every street."""
    if not (request.user.has_perm(FIELD_PERMISSION) or request.user.has_perm("services.view_all_streets")):
        raise PermissionDenied


@login_required
@never_cache
def data_quality(request: HttpRequest) -> HttpResponse:
    """Per street: visit coverage, lost contact, unvisited people, certificates, duplicates; then unusable phones."""
    _may_see_data_quality(request)
    today = timezone.localdate()
    context = {
        "streets": selectors.data_quality_for(request.user, today=today),
        "bad_phones": selectors.persons_with_bad_phone_for(request.user),
        "today": today,
        "checks": list(selectors.QUALITY_CHECKS),
    }
    return render(request, "services/field/data_quality.html", context)


@login_required
@never_cache
def data_quality_persons(request: HttpRequest, check: str, street: str) -> HttpResponse:
    """The persons behind one count of the data-quality page (a street and a check), a page at a time."""
    _may_see_data_quality(request)
    if check not in selectors.QUALITY_CHECKS:
        raise Http404
    streets = (
        Street.objects.all()
        if sees_all_streets(request.user)
        else Street.objects.filter(pk__in=street_ids_for(request.user))
    )
    chosen = get_object_or_404(streets, code=street)
    today = timezone.localdate()
    persons = selectors.quality_check_persons_for(request.user, check=check, street=chosen, today=today)
    wanted = request.GET.get("page")
    page = BoundedCountPaginator(persons, PAGE_SIZE, wanted_page=wanted).get_page(wanted)
    shown = list(page.object_list)
    if request.user.has_perm(FIELD_PERMISSION):
        rows = [(person, reverse("field:person", args=[person.pk])) for person in shown]
    else:  # staff and auditors: the full record in the admin, where they may open it
        links = admin_links(request, shown)
        rows = [(person, link_for(links, person)) for person in shown]
    context = {
        "street": chosen,
        "check": check,
        "label": selectors.QUALITY_CHECKS[check],
        "today": today,
        "page": page,
        "rows": rows,
    }
    return render(request, "services/field/data_quality_persons.html", context)
