"""Sign-in security actions: the session policy of a user, ending sessions, two-factor devices."""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from services.models import User
from services.registry import roles
from services.registry.audit import audit_record
from services.registry.permissions import action_permission_check

from .models import UserSession

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
# Roles that see the whole registry: they work in the admin and must sign in with a second factor.
OTP_ROLES = (roles.STAFF, roles.AUDITOR)


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: int
    second_factor: bool


def session_policy_for(user: User) -> SessionPolicy:
    """How long `user` may stay idle and whether they sign in with a second factor (staff, auditors)."""
    privileged = bool(user.is_staff or user.is_superuser or user.groups.filter(name__in=OTP_ROLES).exists())
    idle = settings.STAFF_SESSION_IDLE_SECONDS if privileged else settings.FIELD_SESSION_IDLE_SECONDS
    return SessionPolicy(idle_seconds=idle, second_factor=privileged)


def user_sessions_end(*, user_ids: Iterable[int] | QuerySet[Any, Any]) -> int:
    """Delete every server-side session of these users (ids, or a query of ids) in one DELETE; returns how many."""
    deleted, _by_model = UserSession.objects.filter(user_id__in=user_ids).delete()
    return deleted


def totp_device_for_setup(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator being set up (created on first call, so a reload keeps the secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def normalise_token(token: str) -> str:
    """Codes are typed on phones: drop spaces and dashes, ignore case.

    Full-width letters and digits, which a Chinese input method types, read as the ASCII ones (NFKC).
    """
    return "".join(unicodedata.normalize("NFKC", token).split()).replace("-", "").lower()


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, by: User) -> list[str]:
    """Confirm the authenticator with a current code and issue fresh recovery codes (returned once).

    Raises ValidationError if the code is wrong or the device is already confirmed.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed:
        raise ValidationError(_("This authenticator is already set up."), code="confirmed")
    if not device.verify_token(normalise_token(token)):
        raise ValidationError(_("That code is not right. Check the time on your phone and try again."), code="bad")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Older set-up attempts and their secrets are of no use any more.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = recovery_codes_issue(user=device.user)
    audit_record(obj=device.user, code="accounts.otp.set_up", by=by, data={"recovery_codes": len(codes)})
    return codes


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones and return them."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def _device_model_for(token: str) -> type[Device]:
    # Authenticator codes are digits; recovery codes are letters and digits (base 32).
    return TOTPDevice if token.isdigit() else StaticDevice


def otp_token_check(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts `token` (an authenticator code or a recovery code), or None.

    A recovery code is used up by the check. Devices are locked while checked, so one code cannot
    be accepted twice by two requests at once.
    """
    token = normalise_token(token)
    if not token:
        return None
    with transaction.atomic():
        for device in _device_model_for(token).objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(token):
                return device
    return None


def otp_wait_seconds(*, user: User, token: str) -> int:
    """Seconds before a code of this kind may be tried again after wrong ones (0: it may be tried now).

    django-otp doubles the wait after each wrong code, which stops guessing the 6 digits.
    """
    waits = [0]
    now = timezone.now()
    for device in _device_model_for(normalise_token(token)).objects.devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append(max(1, int((info["locked_until"] - now).total_seconds()) + 1))
    return max(waits)


@transaction.atomic
def otp_devices_reset(*, user: User, by: User) -> int:
    """Remove the user's authenticators and recovery codes (a lost phone) and end their sessions.

    They set up a new authenticator at their next log-in. Returns the number of devices removed.
    Raises ValidationError if `by` may not change users (today: superusers only).
    """
    action_permission_check(by, "services.change_user")
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    user_sessions_end(user_ids=[user.pk])
    audit_record(obj=user, code="accounts.otp.reset", by=by, data={"devices": removed})
    return removed
