"""Request rules for signed-in people: idle sessions end, staff prove a second factor, private pages are never stored.

None of them queries the database for an anonymous visitor, and the idle rule reads only the session.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext
from django_otp import user_has_device

from .receivers import IDLE_KEY, SECOND_FACTOR_KEY, SEEN_KEY, SERVER_GRACE_SECONDS, session_policy_apply

Handler = Callable[[HttpRequest], HttpResponse]

# Areas whose every page is about people or accounts (the public report /reports/<year>/ is not).
PRIVATE_PREFIXES = ("/admin/", "/field/", "/volunteer/", "/reports/dashboard/", "/accounts/")
# Pages a staff member may open before proving the second factor.
SECOND_FACTOR_EXEMPT = {
    "otp_setup",
    "otp_verify",
    "login",
    "logout",
    "admin:logout",
    "set_language",
    "set_display",
    "healthz",
    "healthz_ready",  # its worker probe checks the second factor itself
}


def _logged_in(request: HttpRequest) -> bool:
    return SESSION_KEY in request.session


class PrivatePagesNoStoreMiddleware:
    """`Cache-Control: no-store, private` on the private areas and on every response to a signed-in person.

    By area, because those pages hold personal data whoever asks (their login redirects too); and for
    any signed-in request, because a page rendered for someone names them. Public pages for anonymous
    visitors keep their own caching headers.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) or (hasattr(request, "session") and _logged_in(request)):
            response.headers.pop("Expires", None)
            if "Cache-Control" in response.headers:
                del response.headers["Cache-Control"]
            add_never_cache_headers(response)
        return response


class SessionIdleMiddleware:
    """End a session that has been idle longer than its owner's limit (staff 30 minutes, others longer).

    The last activity is written at most every SESSION_ACTIVITY_RESOLUTION_SECONDS, so a busy user
    does not cost a session write per request; the database expiry moves with it, so an idle
    session also dies on the server.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if _logged_in(request):
            now = int(time.time())
            idle = session.get(IDLE_KEY)
            if idle is None:
                # A session from before these rules: apply them now.
                session_policy_apply(session, request.user)
            elif now - int(session.get(SEEN_KEY, now)) > idle:
                logout(request)
                minutes = max(1, idle // 60)
                messages.info(
                    request,
                    ngettext(
                        "You were logged out after %(minutes)d minute without activity. Please log in again.",
                        "You were logged out after %(minutes)d minutes without activity. Please log in again.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
            elif now - int(session.get(SEEN_KEY, now)) >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS:
                session[SEEN_KEY] = now
                session.set_expiry(idle + SERVER_GRACE_SECONDS)
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """With OTP_REQUIRED_FOR_STAFF, staff and auditors reach no page until they prove a second factor.

    Covers the admin, the reports dashboard and every other page, so no staff view can forget it.
    Those without an authenticator are sent to set one up, the others to enter a code.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OTP_REQUIRED_FOR_STAFF and _logged_in(request) and self._needs_second_factor(request):
            name = self._view_name(request)
            if name not in SECOND_FACTOR_EXEMPT:
                target = "otp_verify" if user_has_device(request.user, confirmed=True) else "otp_setup"
                return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        user = request.user
        if not (request.session.get(SECOND_FACTOR_KEY) or user.is_staff or user.is_superuser):
            return False
        return not user.is_verified()

    @staticmethod
    def _view_name(request: HttpRequest) -> str | None:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return None
