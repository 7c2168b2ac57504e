"""What every employment action shares: errors by field, validation (saving with history and audit is
services.registry.audit.save_audited)."""

import calendar
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _

from services.models import Person

Errors = dict[str, list[ValidationError]]


def add_error(errors: Errors, field: str, error: ValidationError) -> None:
    errors.setdefault(field, []).append(error)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def inactive_error(person: Person) -> ValidationError:
    return ValidationError(
        _("This person is no longer active in the registry (%(status)s)."),
        code="inactive",
        params={"status": person.get_status_display()},
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def validate(obj: Any) -> None:
    """Field, model and uniqueness rules. The check constraints' rules were applied by the rule functions before
    (checking each again in Python costs a query), and the database still enforces every one of them; related
    records given as loaded instances exist, so they are not looked up again."""
    loaded = [f.name for f in obj._meta.concrete_fields if f.is_relation and f.is_cached(obj)]
    obj.full_clean(exclude=loaded, validate_constraints=False)
    errors: dict[str, Any] = {}
    for constraint in obj._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            try:
                constraint.validate(type(obj), obj)  # type: ignore[attr-defined]  # missing from django-stubs 5.2.9
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
