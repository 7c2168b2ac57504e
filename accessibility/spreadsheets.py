"""The Excel export of a year's accepted home retrofits, with masked numbers and formula-safe text."""

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook

from core.excel import neutralise
from services.models import User

from .models import Retrofit


def _user_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


COLUMNS: list[tuple[Any, Callable[[Retrofit], Any]]] = [
    (gettext_lazy("case number"), lambda r: r.pk),
    (gettext_lazy("name"), lambda r: r.person.name),
    (gettext_lazy("ID number"), lambda r: r.person.masked_id_number),
    (gettext_lazy("street"), lambda r: r.street.name),
    (gettext_lazy("retrofit type"), lambda r: r.get_type_display()),
    (gettext_lazy("items"), lambda r: "、".join(f"{line.item.name}×{line.quantity}" for line in r.lines.all())),
    (gettext_lazy("cost (yuan)"), lambda r: float(r.items_total)),
    (gettext_lazy("contractor"), lambda r: r.contractor),
    (gettext_lazy("applied on"), lambda r: r.applied_on),
    (gettext_lazy("accepted on"), lambda r: r.accepted_on),
    (gettext_lazy("days from application to acceptance"), lambda r: (r.accepted_on - r.applied_on).days),
    (
        gettext_lazy("signed off for the federation by"),
        lambda r: r.accepted_by.get_full_name() or r.accepted_by.get_username(),
    ),
    (gettext_lazy("signed off for the household by"), lambda r: r.household_signatory),
    (gettext_lazy("signed off for the contractor by"), lambda r: r.contractor_signatory),
    (gettext_lazy("reason for exceeding the cap"), lambda r: r.cap_exception_reason),
    (gettext_lazy("followed up on"), lambda r: r.followed_up_on),
]


def export_accepted(retrofits: Iterable[Retrofit]) -> bytes:
    """A workbook of the given cases (from selectors.accepted_in_year_for), one row each."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("accepted home retrofits"))
    sheet.append([str(header) for header, _get in COLUMNS])
    for retrofit in retrofits:
        sheet.append([neutralise(get(retrofit)) for _header, get in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
