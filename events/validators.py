"""Input rules of the events app: page addresses, links, photos and an event's dates (phones: services.registry)."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_image

# Paths under /events/ that a page address would hide.
RESERVED_SLUGS = frozenset({"past", "feed", "rss", "atom", "registrations", "accessibility"})

FILENAME_LIKE = re.compile(r"(?i)^[\w\-. ]*\.(jpe?g|png|gif|webp|heic)$|^(img|dsc|photo|image)[_\- ]?\d+$")


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by another page of the site; choose another address."),
            code="reserved",
            params={"slug": value},
        )


def validate_https_url(value: str) -> None:
    if value and not value.lower().startswith("https://"):
        raise ValidationError(_("Use a secure link that starts with https://."), code="https")


def validate_alt_text(value: str) -> str:
    """Return the trimmed text alternative. Raises ValidationError if it is empty or only a file name."""
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(_("Describe the photo: every photo needs a text alternative."), code="alt_required")
    if FILENAME_LIKE.match(text):
        raise ValidationError(
            _("Describe what the photo shows, not its file name."),
            code="alt_filename",
        )
    return text


def validate_photo_file(file: Any) -> None:
    """Refuse uploads over settings.EVENT_PHOTO_MAX_BYTES or that Pillow does not verify as a whole JPEG or PNG."""
    if file is not None:
        validate_image(file, kind="event_photo")


def event_errors(event: Any) -> dict[str, list[ValidationError]]:
    """Every rule an event breaks, by field; empty when it may be saved."""
    errors: dict[str, list[ValidationError]] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = [ValidationError(_("The event must end after it starts."), code="order")]
    if event.starts_at and event.registration_deadline and event.registration_deadline > event.starts_at:
        errors["registration_deadline"] = [
            ValidationError(_("Registration must close before the event starts."), code="deadline")
        ]
    if event.easy_read and not (event.easy_read_text or "").strip():
        errors["easy_read_text"] = [
            ValidationError(_("Write the easy-read summary, or untick the easy-read provision."), code="required")
        ]
    return errors
