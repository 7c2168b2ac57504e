"""What an uploaded file must be: under its kind's size limit, and by its content (not its name) what it says it is."""

import io
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image

# An .xlsx file is a zip archive (its first bytes) holding at least these parts.
ZIP_SIGNATURE = b"PK\x03\x04"
XLSX_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml"})
# Workbooks compress about 10 to 1 (20 to 1 for a sheet of one repeated number); deflate can reach
# 1,000 to 1 on a run of one byte, which is how a 1 MB file carries a 1 GB cell. Parts this small
# are not checked for their ratio: they cannot cost much whatever it is.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024


def limit_text(limit: int) -> str:
    """A byte limit as people write it: "5 MB", "500 KB", "900 bytes" (the last in the reader's language)."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return ngettext("%(count)d byte", "%(count)d bytes", limit) % {"count": limit}


def limit_for(kind: str) -> int:
    """The size limit in bytes of one kind of upload: "retrofit_photo", "event_photo" or "spreadsheet"."""
    return {
        "retrofit_photo": settings.RETROFIT_PHOTO_MAX_BYTES,
        "event_photo": settings.EVENT_PHOTO_MAX_BYTES,
        "spreadsheet": settings.SPREADSHEET_IMPORT_MAX_BYTES,
    }[kind]


def file_too_large(size: int, kind: str) -> str | None:
    """The message refusing a file of `size` bytes as `kind`, or None when it fits."""
    limit = limit_for(kind)
    if size <= limit:
        return None
    limit_words = {"limit": limit_text(limit)}
    if kind == "spreadsheet":
        return str(_("The file is larger than %(limit)s.") % limit_words)
    return str(_("The photo is larger than %(limit)s.") % limit_words)


def image_format(file: IO[bytes] | Any) -> str | None:
    """Pillow's name for the image format ("JPEG", "PNG") if the whole file verifies, else None; leaves it rewound."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            return image.format
    except Exception:  # Pillow raises many kinds (SyntaxError, OSError, DecompressionBombError...) for bad files
        return None
    finally:
        file.seek(position)


def is_xlsx(data: bytes) -> bool:
    """Whether `data` is a zip archive with the parts of an Excel workbook (the name's extension is not trusted)."""
    if not data.startswith(ZIP_SIGNATURE):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist()) >= XLSX_PARTS
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def zip_too_large(data: bytes, *, limit: int) -> str | None:
    """The message refusing a zip archive (an .xlsx) that unpacks to more than `limit` bytes, or None when it fits.

    Reads only the archive's directory, so it runs before any parser and costs nothing. A part may
    declare a smaller size than its compressed data really holds: zipfile never returns more than a
    part's declared size (it stops there and fails the CRC check), so a parser reading through
    zipfile, as openpyxl does, cannot get past the sizes checked here. An archive that cannot be
    read at all is left to the caller's own check (is_xlsx), so this answers None for it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if sum(part.file_size for part in parts) > limit:
        words = {"limit": limit_text(limit)}
        return str(_("The file unpacks to more than %(limit)s. Split it into smaller files.") % words)
    for part in parts:
        if part.file_size >= RATIO_CHECKED_FROM_BYTES and part.file_size > MAX_COMPRESSION_RATIO * part.compress_size:
            return str(_("The file is compressed far more than a workbook can be. Save it again from Excel."))
    return None


def validate_image(file: Any, *, kind: str) -> str:
    """Return the verified format of an uploaded photo.

    Raises ValidationError if it is over the kind's limit, empty, or not a whole JPEG or PNG by content.
    """
    too_large = file_too_large(file.size, kind)
    if too_large:
        raise ValidationError(too_large, code="too_large")
    found = image_format(file) if file.size else None
    if found not in {"JPEG", "PNG"}:
        raise ValidationError(_("Upload a JPEG or PNG photo."), code="not_an_image")
    return found
