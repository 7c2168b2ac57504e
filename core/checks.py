"""System checks of the shared parts: what `check --deploy` must catch before residents rely on it."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured

from .notify import notifier


def messages_reach_people(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Warn when a deployment would only write reminders, one-time codes and status links to the log."""
    if settings.NOTIFICATION_BACKEND == "core.notify.ConsoleNotifier":
        return [
            Warning(
                "NOTIFICATION_BACKEND is the console: reminders, one-time codes and status links would only be "
                "written to the log, never sent.",
                hint="Set NOTIFICATION_BACKEND=core.notify.HttpSmsNotifier with SMS_GATEWAY_URL (or EmailNotifier).",
                id="core.W001",
            )
        ]
    try:
        notifier()
    except (ImproperlyConfigured, ImportError) as exc:
        return [Error(f"NOTIFICATION_BACKEND cannot be used: {exc}", id="core.E001")]
    return []
