"""Resident ID and disability certificate numbers: normalising, checking, deriving, masking.

Input is normalised, not refused, for the mistakes staff make when copying numbers: surrounding
and inner white space (also the full-width space), full-width digits and letters (NFKC), and a
lower-case check character x. Anything else that is not 17 digits and a digit or X is refused.
"""

import datetime
import logging
import re
import unicodedata
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.notify import redact_tokens

ID_LENGTH = 18
CERTIFICATE_LENGTH = 20
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_CERT_SHAPE = re.compile(r"\d{17}[\dX]\d\d")


def normalise_number(raw: object) -> str:
    """Fold full-width characters, drop all white space and upper-case a trailing x."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    """The GB 11643-1999 (ISO 7064 MOD 11-2) check character for 17 digits."""
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date_of(id_number: str) -> datetime.date:
    """The birth date written in an ID number. Raises ValueError if it is not a real date."""
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_of(id_number: str) -> str:
    """ "male" for an odd sequence digit, "female" for an even one."""
    return "male" if int(id_number[16]) % 2 else "female"


def validate_id_number(value: str, *, today: datetime.date | None = None) -> None:
    """Check a normalised resident ID number. Raises ValidationError naming what is wrong."""
    if len(value) != ID_LENGTH:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="id_length",
            params={"count": len(value)},
        )
    if not _ID_SHAPE.fullmatch(value):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."),
            code="id_characters",
        )
    try:
        born = birth_date_of(value)
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number (%(digits)s) is not a real date."),
            code="id_birth_date",
            params={"digits": value[6:14]},
        ) from None
    if born > (today or timezone.localdate()) or born.year < 1900:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not possible."),
            code="id_birth_date",
            params={"date": born.isoformat()},
        )
    if check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The last character of this ID number does not match the others: check for a mistyped digit."),
            code="id_checksum",
        )


def validate_certificate_number(value: str, *, id_number: str, category: int, grade: int) -> None:
    """Check a normalised certificate number against its holder. Raises ValidationError."""
    if len(value) != CERTIFICATE_LENGTH or not _CERT_SHAPE.fullmatch(value):
        raise ValidationError(
            _(
                "A disability certificate number has 20 characters: "
                "the ID number, the category digit and the grade digit."
            ),
            code="certificate_shape",
        )
    errors = []
    if value[:18] != id_number:
        errors.append(
            ValidationError(
                _("The certificate number does not begin with this person's ID number."),
                code="certificate_id_mismatch",
            )
        )
    if int(value[18]) != category:
        errors.append(
            ValidationError(
                _("The certificate says category %(digit)s, but the category chosen is %(category)s."),
                code="certificate_category_mismatch",
                params={"digit": value[18], "category": category},
            )
        )
    if int(value[19]) != grade:
        errors.append(
            ValidationError(
                _("The certificate says grade %(digit)s, but the grade chosen is %(grade)s."),
                code="certificate_grade_mismatch",
                params={"digit": value[19], "grade": grade},
            )
        )
    if errors:
        raise ValidationError(errors)


def mask_number(value: str) -> str:
    """Keep only the area code (the first six characters) of an ID or certificate number.

    The last four characters used to be shown too, but beside the age (shown on every list) they
    left about 35 possible birth dates, each checkable by an exact search: the mask alone gave the
    number back. With the area code only, some 180,000 numbers remain possible for a known age and
    gender. Every list, page, export and `__str__` goes through here, so none shows more.
    """
    if len(value) < ID_LENGTH:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 6)


# A search term holding 15 characters of an ID (the old 15-digit ID's length; 14 digits and a check
# X) is a number search. Searches match ID and certificate numbers only whole, never by substring,
# so a shorter run of digits (a phone number, a birth date) cannot confirm any part of a number.
_NUMBER_IN_TERM = re.compile(r"\d{14,}[\dX]\d*")
# Ten or more digits in free text, with at most one separator between two of them, as written in a
# query string, a path or a message (full-width digits and a trailing x included).
_NUMBER_IN_TEXT = re.compile(r"[0-9\uff10-\uff19](?:[\s\u3000+\-]?[0-9Xx\uff10-\uff19\uff38\uff58]){9,}")


def searched_number(term: str) -> str:
    """The whole or near-whole ID or certificate number in a search term, normalised; "" if none."""
    match = _NUMBER_IN_TERM.search(normalise_number(term).replace("-", ""))
    return match.group() if match else ""


def is_number_search(term: str) -> bool:
    """True when a search term holds a whole or near-whole ID or certificate number."""
    return bool(searched_number(term))


def redact_numbers(text: str) -> str:
    """`text` with every run of ten or more digits masked: what a log may store of a query or path."""
    return _NUMBER_IN_TEXT.sub(lambda m: mask_number(re.sub(r"[-+]", "", normalise_number(m.group()))), text)


class RedactNumbersFilter(logging.Filter):
    """A logging filter masking every number in a record's message, percent-encoded ones included, and, outside
    development, cutting a private link's token to its first four characters (Django logs every 4xx answer with
    its path; a developer following a link from the console needs it whole)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = unquote_plus(record.getMessage())
        redacted = redact_numbers(message)
        if not settings.DEBUG:
            redacted = redact_tokens(redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
