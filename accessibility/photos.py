"""Photos of homes: what may be stored (JPEG or PNG by content, within RETROFIT_PHOTO_MAX_BYTES) and where."""

import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_image

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
    """Refuse a file over settings.RETROFIT_PHOTO_MAX_BYTES, or that Pillow does not verify as a whole JPEG or PNG."""
    kind = sniff(file) if file.size else None
    found = validate_image(file, kind="retrofit_photo")
    # The stored name's extension comes from the first bytes: they must agree with what Pillow read.
    if kind is None or kind[0] != f"image/{found.lower()}":
        raise ValidationError(_("Upload a JPEG or PNG photo."), code="not_an_image")


def photo_path(instance: Any, filename: str) -> str:
    """A name nobody can guess, under the retrofit's folder; the extension follows the content."""
    kind = sniff(instance.image) if instance.image else None
    extension = kind[1] if kind else ""
    return f"retrofit-photos/{instance.retrofit_id}/{uuid.uuid4().hex}{extension}"
