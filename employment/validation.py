"""Employment rules that need no query: working age, and the unified social credit code of employers."""

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Expression, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from services.models import Person
from services.registry.selectors import age_on

# Working age as the federation counts it (劳动年龄段): from the 16th birthday until the day before the 60th.
# Courses and placements are for people of this age on the day the course or the job starts.
WORKING_AGE = (16, 59)


def working_age_counted(gender: str) -> tuple[int, int]:
    """The ages the `trained` figure counts as working age for a man or a woman (男/女): 16 to 59, or for
    women to settings.WORKING_AGE_WOMEN_OLDEST, a policy choice (16-59 by the national statistics, or 16-54)."""
    youngest, oldest = WORKING_AGE
    if gender == "female":
        return youngest, settings.WORKING_AGE_WOMEN_OLDEST
    return youngest, oldest


def working_age_error(birth_date: datetime.date, on: datetime.date) -> ValidationError | None:
    """Why a person born on `birth_date` is not of working age on `on`, or None when they are."""
    youngest, oldest = WORKING_AGE
    age = age_on(birth_date, on)
    if youngest <= age <= oldest:
        return None
    return ValidationError(
        _(
            "This person is %(age)d on %(date)s; training and job placement are for people of "
            "working age (%(youngest)d to %(oldest)d)."
        ),
        code="working_age",
        params={"age": age, "date": on.isoformat(), "youngest": youngest, "oldest": oldest},
    )


def working_age_refusal(person: Person, on: datetime.date) -> str:
    """working_age_error for a person, as the sentence the field app and the admin show; "" when of working age."""
    error = working_age_error(person.birth_date, on)
    return " ".join(error.messages) if error else ""


def age_at(birth: str, on: str) -> Expression:
    """Whole years from the date in field `birth` to the date in field `on`, as registry.selectors.age_on counts.

    Computed by the database (year difference, less one before the birthday), so figures can filter on it.
    """
    before_birthday = LessThan(
        ExtractMonth(on) * 100 + ExtractDay(on),
        ExtractMonth(birth) * 100 + ExtractDay(birth),
    )
    return ExtractYear(on) - ExtractYear(birth) - Case(When(before_birthday, then=Value(1)), default=Value(0))


# Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 31 (no I, O, Z, S, V).
CREDIT_CODE_LENGTH = 18
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_AREA_DIGITS = re.compile(r"\d{6}")


def normalise_credit_code(raw: object) -> str:
    """Fold full-width characters, drop all white space and upper-case, as for ID numbers."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(text.split()).upper()


def credit_code_check_character(first17: str) -> str:
    """The check character of a credit code's first 17 characters (GB 32100-2015, modulus 31)."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Check a normalised credit code. Raises ValidationError naming what is wrong."""
    if len(value) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="credit_code_length",
            params={"count": len(value)},
        )
    bad = sorted({c for c in value if c not in CREDIT_CODE_CHARS})
    if bad:
        raise ValidationError(
            _(
                "A unified social credit code never contains %(characters)s: "
                "the letters I, O, S, V and Z are not used; check whether a digit was meant."
            ),
            code="credit_code_characters",
            params={"characters": " ".join(bad)},
        )
    if not _AREA_DIGITS.fullmatch(value[2:8]):
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the area code and must be digits."),
            code="credit_code_area",
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "The last character of this unified social credit code does not match the others: "
                "check for a mistyped character."
            ),
            code="credit_code_checksum",
        )
