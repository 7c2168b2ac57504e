"""Project-level views: health checks, the display preference, the favicon (the home page is events.views.home)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import ratelimit
from core.context_processors import DISPLAY_CHOICES, DISPLAY_COOKIE
from core.http import safe_next

from .health import check_all

ONE_YEAR = 365 * 24 * 3600
# A worker probe blocks a worker for up to WORKER_TIMEOUT_SECONDS: a few per user per rate-limit window.
WORKER_PROBES_PER_WINDOW = 5


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """`/favicon.ico`, which browsers and feed readers ask for whatever the page links: the static icon."""
    return HttpResponsePermanentRedirect(static("img/portal/favicon.ico"))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness, for load balancers: the process answers. No database, cache or broker call, never a 503."""
    return JsonResponse({"status": "ok"})


def _may_probe_worker(request: HttpRequest) -> bool:
    """Staff only, and with two-factor log-in required, only once their session has proved it."""
    user = request.user
    if not user.is_staff:
        return False
    return not settings.OTP_REQUIRED_FOR_STAFF or bool(getattr(user, "is_verified", lambda: False)())


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and broker each ok or error, 503 if one is down.

    `?worker=1` also waits for a worker's answer: for verified staff only (others get a 403) and a few
    times per user per rate-limit window (then a 429); neither refusal calls a backend.
    """
    worker = request.GET.get("worker") == "1"
    if worker:
        if not _may_probe_worker(request):
            return JsonResponse({"status": "forbidden"}, status=403)
        if ratelimit.hit("healthz-worker", str(request.user.pk)) > WORKER_PROBES_PER_WINDOW:
            return ratelimit.with_retry_after(JsonResponse({"status": "too many requests"}, status=429))
    healthy, checks = check_all(worker=worker)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


@require_POST
def set_display(request: HttpRequest) -> HttpResponseRedirect:
    """Remember the reader's display choice in a cookie; works without JavaScript."""
    mode = request.POST.get("display", "standard")
    target = request.POST.get("next") or request.headers.get("referer") or ""
    response = HttpResponseRedirect(safe_next(request, target, fallback="/"))
    if mode in DISPLAY_CHOICES:
        response.set_cookie(DISPLAY_COOKIE, mode, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure())
    return response
