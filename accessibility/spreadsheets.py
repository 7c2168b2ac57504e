"""The Excel export of a year's accepted home retrofits, with masked numbers (text made inert by core.excel)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from core.i18n import join_list
from core.users import user_display
from exports.registry import Exporter, register

from .models import Retrofit
from .selectors import accepted_in_year_for

COLUMNS: list[tuple[Any, Callable[[Retrofit], Any]]] = [
    (gettext_lazy("case number"), lambda r: r.pk),
    (gettext_lazy("name"), lambda r: r.person.name),
    (gettext_lazy("ID number"), lambda r: r.person.masked_id_number),
    (gettext_lazy("street"), lambda r: r.street.name),
    (gettext_lazy("retrofit type"), lambda r: r.get_type_display()),
    (gettext_lazy("items"), lambda r: join_list(f"{line.item.name}×{line.quantity}" for line in r.lines.all())),
    (gettext_lazy("cost (yuan)"), lambda r: float(r.items_total)),
    (gettext_lazy("contractor"), lambda r: r.contractor),
    (gettext_lazy("applied on"), lambda r: r.applied_on),
    (gettext_lazy("accepted on"), lambda r: r.accepted_on),
    (gettext_lazy("days from application to acceptance"), lambda r: (r.accepted_on - r.applied_on).days),
    (
        gettext_lazy("signed off for the federation by"),
        lambda r: user_display(r.accepted_by),
    ),
    (gettext_lazy("signed off for the household by"), lambda r: r.household_signatory),
    (gettext_lazy("signed off for the contractor by"), lambda r: r.contractor_signatory),
    (gettext_lazy("reason for exceeding the cap"), lambda r: r.cap_exception_reason),
    (gettext_lazy("followed up on"), lambda r: r.followed_up_on),
]


ACCEPTED_EXPORT = register(
    Exporter(
        kind="accessibility.retrofits_accepted",
        title=lambda: gettext("accepted home retrofits"),
        columns=COLUMNS,
        records=lambda user, params: accepted_in_year_for(user, params["year"]),
        filename=lambda params: f"retrofits-accepted-{params['year']}.xlsx",
    )
)
