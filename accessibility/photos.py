"""Photos of homes: what may be stored (JPEG or PNG by content, at most 5 MB) and where."""

import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# The first bytes of each accepted format; the file name's extension is never trusted.
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}
HEADER_BYTES = max(len(signature) for signature in SIGNATURES)


def sniff(file: IO[bytes] | Any) -> tuple[str, str] | None:
    """The (content type, extension) that a file's first bytes show, or None; leaves it rewound."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    header = file.read(HEADER_BYTES)
    file.seek(position)
    for signature, kind in SIGNATURES.items():
        if header.startswith(signature):
            return kind
    return None


def validate_photo(file: Any) -> None:
    """Refuse a file that is over 5 MB or is not a JPEG or PNG image by its content."""
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is larger than %(mb)d MB."), code="too_large", params={"mb": MAX_PHOTO_BYTES // 1024 // 1024}
        )
    if file.size == 0 or sniff(file) is None:
        raise ValidationError(_("Upload a JPEG or PNG photo."), code="not_an_image")


def photo_path(instance: Any, filename: str) -> str:
    """A name nobody can guess, under the retrofit's folder; the extension follows the content."""
    kind = sniff(instance.image) if instance.image else None
    extension = kind[1] if kind else ""
    return f"retrofit-photos/{instance.retrofit_id}/{uuid.uuid4().hex}{extension}"
