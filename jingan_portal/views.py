"""Project-level views: the health check and the display preference (the home page is events.views.home).

Also `safe_next`, the one check of a redirect target taken from a request, which accounts.views uses too.
"""

from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .context_processors import DISPLAY_CHOICES, DISPLAY_COOKIE
from .health import check_all

ONE_YEAR = 365 * 24 * 3600


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """State of the database, cache and broker; for staff, `?worker=1` also waits for a worker."""
    deep = request.GET.get("worker") == "1" and request.user.is_staff
    healthy, checks = check_all(worker=deep)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def safe_next(request: HttpRequest, target: str, *, fallback: str) -> str:
    """`target` if it is a page of this site (over HTTPS when the request came so), else `fallback`."""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def set_display(request: HttpRequest) -> HttpResponseRedirect:
    """Remember the reader's display choice in a cookie; works without JavaScript."""
    mode = request.POST.get("display", "standard")
    target = request.POST.get("next") or request.headers.get("referer") or ""
    response = HttpResponseRedirect(safe_next(request, target, fallback="/"))
    if mode in DISPLAY_CHOICES:
        response.set_cookie(DISPLAY_COOKIE, mode, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure())
    return response
