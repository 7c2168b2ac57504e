"""Sending short messages (reminders) through a pluggable backend: console by default, e-mail or SMS.

Set NOTIFICATION_BACKEND to a dotted path of a class with a `channel` name and a
`send(*, to, message)` method; an SMS gateway plugs in the same way.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.notify")


class Notifier(Protocol):
    channel: str

    def send(self, *, to: str, message: str) -> None: ...


class ConsoleNotifier:
    """Writes each message to the log: the development and demo default."""

    channel = "console"

    def send(self, *, to: str, message: str) -> None:
        logger.info("message to %s: %s", mask_address(to), message)


class EmailNotifier:
    """Sends each message by e-mail, for recipients whose address is an e-mail address."""

    channel = "email"

    def send(self, *, to: str, message: str) -> None:
        send_mail(subject=message[:60], message=message, from_email=None, recipient_list=[to])


def notifier() -> Notifier:
    return import_string(getattr(settings, "NOTIFICATION_BACKEND", "core.notify.ConsoleNotifier"))()


def mask_address(address: str) -> str:
    """139****5678 for a phone, a***@example.org for an e-mail address."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:3] + "****" + address[-4:] if len(address) >= 8 else "****"
