"""Two-factor pages (set up, verify, recovery codes) and the login page shown while log-ins are paused."""

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.http import safe_next

from . import actions
from .forms import AuthenticatorCodeForm, VerifyCodeForm

RECOVERY_CODES_SESSION_KEY = "_recovery_codes_to_show"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, target, fallback=reverse("admin:index" if request.user.is_staff else "home"))


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _require_second_factor_role(request: HttpRequest) -> None:
    if not actions.session_policy_for(request.user).second_factor:
        raise PermissionDenied(_("Two-factor log-in is for federation staff and auditors."))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code or type the key, then confirm with a code."""
    _require_second_factor_role(request)
    if user_has_device(request.user, confirmed=True):
        if request.user.is_verified():
            messages.info(request, _("Your authenticator is already set up."))
            return HttpResponseRedirect(_next_url(request))
        return HttpResponseRedirect(_with_next("otp_verify", request))
    device = actions.totp_device_for_setup(user=request.user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.totp_device_confirm(device=device, token=form.cleaned_data["token"], by=request.user)
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return HttpResponseRedirect(_with_next("otp_recovery_codes", request))
    secret = _grouped(b32encode(device.bin_key).decode())
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "secret": secret, "qr_data_uri": qr, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for an authenticator code (or a recovery code) before any staff page opens."""
    _require_second_factor_role(request)
    if not user_has_device(request.user, confirmed=True):
        return HttpResponseRedirect(_with_next("otp_setup", request))
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        wait = actions.otp_wait_seconds(user=request.user, token=token)
        device = None if wait else actions.otp_token_check(user=request.user, token=token)
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. %(count)d recovery code is left.",
                        "You used a recovery code. %(count)d recovery codes are left.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(_next_url(request))
        if wait:
            form.add_error(
                "token",
                ngettext(
                    "Too many wrong codes. Wait %(seconds)d second, then try again.",
                    "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                    wait,
                )
                % {"seconds": wait},
            )
        else:
            form.add_error("token", _("That code is not right, or it has been used already. Try again."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the new recovery codes, once: the page forgets them as it shows them."""
    _require_second_factor_role(request)
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": _next_url(request)})


def lockout(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The login page while log-ins are paused (AXES_LOCKOUT_CALLABLE): one message for every user name."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed log-in attempts. Logging in is paused for %(minutes)d minute. Please try again later.",
        "Too many failed log-in attempts. Logging in is paused for %(minutes)d minutes. Please try again later.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "lockout_message": message, "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
