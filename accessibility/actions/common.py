"""What the accessibility actions share: permission names, error building, dates, item rules."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, F, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from services.models import User

from ..models import Retrofit, RetrofitItem, RetrofitLine

ADVANCE = "accessibility.advance_retrofit"
APPLY = "accessibility.apply_retrofit"
OVER_CAP = "accessibility.approve_over_cap"
ADD_PHOTO = "accessibility.add_retrofitphoto"
MAX_NOTE = 2000
Status = Retrofit.Status

Errors = dict[str, list[ValidationError]]


def add_error(errors: Errors, field: str, message: Any, code: str, **params: Any) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code, params=params or None))


def is_retrofit_staff(by: User) -> bool:
    return bool(by.is_authenticated and by.has_perm(ADVANCE))


def sees_case(by: User, retrofit: Retrofit) -> bool:
    return Retrofit.objects.visible_to(by).filter(pk=retrofit.pk).exists()


def check_step_date(
    errors: Errors, on: datetime.date, *, not_before: datetime.date | None, today: datetime.date
) -> None:
    if on > today:
        add_error(errors, "on", _("The date cannot be in the future."), "future")
    elif not_before is not None and on < not_before:
        add_error(
            errors,
            "on",
            _("The date cannot be before the previous step (%(date)s)."),
            "order",
            date=date_format(not_before, "Y-m-d"),
        )


def line_total(retrofit: Retrofit) -> Decimal:
    """The sum of unit cost × quantity over the case's items, computed by the database."""
    total = RetrofitLine.objects.filter(retrofit=retrofit).aggregate(
        total=Coalesce(Sum(F("unit_cost") * F("quantity")), Decimal(0), output_field=DecimalField())
    )["total"]
    return Decimal(total).quantize(Decimal("0.01"))


def item_errors(
    *, item: RetrofitItem, retrofit_type: str, quantity: int | None, unit_cost: Decimal | None
) -> list[str]:
    """Why an item line cannot go on a case of `retrofit_type`; empty when it can."""
    problems = []
    if not item.active:
        problems.append(_("“%(item)s” is no longer offered.") % {"item": item.name})
    if not item.allows(retrofit_type):
        problems.append(
            _("“%(item)s” is not allowed in the %(type)s.")
            % {"item": item.name, "type": Retrofit.Type(retrofit_type).label}
        )
    if quantity is None or quantity < 1:
        problems.append(_("The quantity of “%(item)s” must be at least 1.") % {"item": item.name})
    if unit_cost is not None and unit_cost < 0:
        problems.append(_("The cost of “%(item)s” cannot be negative.") % {"item": item.name})
    return problems
