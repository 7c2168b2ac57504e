"""Registry pages of the field app (data quality) and its page guard."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.guards import page_required
from services.registry import selectors

FIELD_PERMISSION = "services.use_field_app"


PAGE_SIZE = 25  # rows per page of the field app's lists


# Logged in (else to the login page) and allowed the field app (else 403); never cached.
field_member_required = page_required(FIELD_PERMISSION)


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
