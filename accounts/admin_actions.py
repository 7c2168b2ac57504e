"""The user admin's "lost phone" action, added to the user admin that services registers."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import otp_devices_reset


@admin.action(description=_("Reset two-factor log-in (lost phone)"), permissions=["change"])
def reset_two_factor(modeladmin, request, queryset) -> None:
    """Remove the chosen users' authenticators and recovery codes and end their sessions, audited."""
    users = list(queryset)
    try:
        removed = sum(otp_devices_reset(user=user, by=request.user) for user in users)
    except ValidationError as exc:
        modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return
    modeladmin.message_user(
        request,
        ngettext(
            "Removed %(devices)d two-factor device of %(users)d user; they set up a new one at their next log-in.",
            "Removed %(devices)d two-factor devices of %(users)d users; they set up a new one at their next log-in.",
            removed,
        )
        % {"devices": removed, "users": len(users)},
        messages.SUCCESS,
    )


def add_to_user_admin() -> None:
    """Called from AccountsConfig.ready(), after the admin has loaded every app's admin module."""
    user_admin = admin.site.get_model_admin(get_user_model())
    if reset_two_factor not in (user_admin.actions or []):
        user_admin.actions = [*(user_admin.actions or []), reset_two_factor]
