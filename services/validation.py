"""The registry's rules for a person's record, used by the model, forms, admin and the import."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import birth_date_of, validate_certificate_number, validate_id_number

MULTIPLE = 7
CERTIFICATE_YEARS = 10
# Ten years with their leap days, plus one day's grace.
CERTIFICATE_SPAN = datetime.timedelta(days=365 * CERTIFICATE_YEARS + 3 + 1)


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
    today: datetime.date | None = None,
) -> dict[str, list[ValidationError]]:
    """Every rule a person's record breaks, by field; empty when the record is valid.

    Numbers must already be normalised (services.identity.normalise_number).
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
