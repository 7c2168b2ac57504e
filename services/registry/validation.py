"""The registry's rules for a person's record, used by the model, forms, admin and the import."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.registry.identity import birth_date_of, validate_certificate_number, validate_id_number

# Mainland mobile numbers: 11 digits, 1 then 3-9. Landlines: an optional area code (0 and 2-3 digits)
# and a 7- or 8-digit local number that does not start with 0 or 1.
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})?[2-9]\d{6,7}")
SHANGHAI_AREA_CODE = "021"
# A number as validate_phone stores it (a landline always with its area code), for database filters too.
STORED_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}[2-9]\d{6,7})$")
PHONE_MESSAGE = _("Enter a mobile number of 11 digits starting with 1, or a landline number such as 021 6234 5678.")

MULTIPLE = 7
CERTIFICATE_YEARS = 10
# Ten years with their leap days, plus one day's grace.
CERTIFICATE_SPAN = datetime.timedelta(days=365 * CERTIFICATE_YEARS + 3 + 1)


def normalise_phone(raw: object) -> str:
    """Digits only: full-width digits folded, spaces, hyphens, brackets and a +86 or 0086 prefix dropped."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    text = re.sub(r"[\s\-()（）.]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def validate_phone(value: object) -> str:
    """Return the number as stored (mobile: 11 digits; landline: with its area code, Shanghai's by default).

    Raises ValidationError if it is neither a mainland mobile nor a landline number.
    """
    number = normalise_phone(value)
    if MOBILE.fullmatch(number):
        return number
    if LANDLINE.fullmatch(number):
        return number if number.startswith("0") else SHANGHAI_AREA_CODE + number
    raise ValidationError(PHONE_MESSAGE, code="phone")


def phone_as_stored(value: object) -> str:
    """The number as validate_phone stores it; text that is no phone number comes back only trimmed."""
    text = "" if value is None else str(value).strip()
    try:
        return validate_phone(text) if text else ""
    except ValidationError:
        return text


def phone_is_valid(value: str) -> bool:
    """True if `value` is a phone number in its stored form (what validate_phone returns)."""
    return bool(STORED_PHONE.fullmatch(value or ""))


def person_errors(
    *,
    id_number: str,
    certificate_number: str,
    category: int | None,
    grade: int | None,
    status: str,
    multiple_categories: str = "",
    status_changed_on: datetime.date | None,
    consent_given_on: datetime.date | None,
    certificate_valid_until: datetime.date | None,
    phone: str = "",
    guardian_phone: str = "",
    today: datetime.date | None = None,
) -> dict[str, list[ValidationError]]:
    """Every rule a person's record breaks, by field; empty when the record is valid.

    Numbers must already be normalised (services.registry.identity.normalise_number, phone_as_stored).
    """
    today = today or timezone.localdate()
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, error: ValidationError) -> None:
        errors.setdefault(field, []).extend(error.error_list)

    id_ok = False
    try:
        validate_id_number(id_number, today=today)
        id_ok = True
    except ValidationError as exc:
        add("id_number", exc)
    if certificate_number and id_ok and category and grade:
        try:
            validate_certificate_number(certificate_number, id_number=id_number, category=category, grade=grade)
        except ValidationError as exc:
            add("certificate_number", exc)
    if multiple_categories:
        digits = set(multiple_categories)
        if category != MULTIPLE:
            add(
                "multiple_categories",
                ValidationError(_("Only a multiple disability includes categories."), code="not_multiple"),
            )
        elif not digits <= set("123456") or len(digits) < 2 or len(digits) != len(multiple_categories):
            add(
                "multiple_categories",
                ValidationError(_("Write two or more different category digits from 1 to 6, e.g. 24."), code="digits"),
            )
    if status != "active" and status_changed_on is None:
        add("status_changed_on", ValidationError(_("Give the date the person moved out or died."), code="required"))
    if status_changed_on and status_changed_on > today:
        add("status_changed_on", ValidationError(_("This date is in the future."), code="future"))
    if consent_given_on and consent_given_on > today:
        add("consent_given_on", ValidationError(_("Consent cannot be given in the future."), code="future"))
    if consent_given_on and id_ok and consent_given_on < birth_date_of(id_number):
        add("consent_given_on", ValidationError(_("Consent is dated before the person was born."), code="order"))
    for name, number in (("phone", phone), ("guardian_phone", guardian_phone)):
        if number and not phone_is_valid(number):
            add(name, ValidationError(PHONE_MESSAGE, code="phone"))
    if certificate_valid_until and certificate_valid_until > today + CERTIFICATE_SPAN:
        add(
            "certificate_valid_until",
            ValidationError(
                _("A certificate is valid for at most %(years)d years from today."),
                code="too_far",
                params={"years": CERTIFICATE_YEARS},
            ),
        )
    return errors
