"""Sending short messages (reminders, one-time codes, status links) through a pluggable backend.

Set NOTIFICATION_BACKEND to a dotted path of a class with a `channel` name and a
`send(*, to, message)` method: ConsoleNotifier (development), EmailNotifier, or HttpSmsNotifier,
which hands each message to the federation's SMS gateway over HTTPS (SMS_GATEWAY_URL).
"""

import json
import logging
import re
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.notify")

# A path segment that is a private link's token (secrets.token_urlsafe(24 or 32): 32 or 43 characters): the
# status pages of online applications and event registrations.
_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}")


class SmsGatewayError(Exception):
    """The gateway did not take a message; a task sending it may try again later."""


class Notifier(Protocol):
    channel: str

    def send(self, *, to: str, message: str) -> None: ...


class ConsoleNotifier:
    """Writes each message to the log: the development and demo default."""

    channel = "console"

    def send(self, *, to: str, message: str) -> None:
        # Outside development the log is no place for a private link: whoever reads it could open it.
        logger.info("message to %s: %s", mask_address(to), message if settings.DEBUG else redact_tokens(message))


class EmailNotifier:
    """Sends each message by e-mail, for recipients whose address is an e-mail address."""

    channel = "email"

    def send(self, *, to: str, message: str) -> None:
        send_mail(subject=message[:60], message=message, from_email=None, recipient_list=[to])


class HttpSmsNotifier:
    """Posts each message as JSON to the SMS gateway: {"to", "message", "sign"} with a bearer token.

    Any answer but 2xx, a timeout or a refused connection raises SmsGatewayError, so nothing counts as
    sent that the gateway did not take.
    """

    channel = "sms"

    def __init__(self) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "")
        # Plain HTTP only to a relay on this host: messages carry codes and private links.
        if not self.url.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an https:// address of the SMS gateway.")
        self.token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        self.sign = getattr(settings, "SMS_SIGN_NAME", "")
        self.timeout = getattr(settings, "SMS_GATEWAY_TIMEOUT", 5)

    def send(self, *, to: str, message: str) -> None:
        body = json.dumps({"to": to, "message": message, "sign": self.sign}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, urllib.error.URLError) as exc:
            raise SmsGatewayError(f"gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise SmsGatewayError(f"gateway answered {status}")


def redact_tokens(text: str) -> str:
    """`text` with every private link's token cut to its first four characters: what a log may keep of a link
    outside development (ConsoleNotifier, and the log filter services.registry.identity.RedactNumbersFilter)."""
    return _TOKEN.sub(lambda m: m.group()[:4] + "…", text)


def notifier() -> Notifier:
    return import_string(getattr(settings, "NOTIFICATION_BACKEND", "core.notify.ConsoleNotifier"))()


def mask_address(address: str) -> str:
    """139****5678 for a phone, a***@example.org for an e-mail address."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return address[:3] + "****" + address[-4:] if len(address) >= 8 else "****"
