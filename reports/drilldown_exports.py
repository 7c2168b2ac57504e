"""Each figure's drill-down as an export of the exports app: the rows the page lists for its filter, in its columns.

One exporter per figure (its columns are the figure's), registered when the app is ready. A job lists the rows
again for its owner from the stored filter, so it is scoped exactly as the page was.
"""

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from exports.registry import Exporter, Params, register
from services.models import Street

from . import figures, selectors
from .models import AnnualReport

KIND = "reports.figure."


def kind(figure: figures.Figure) -> str:
    return KIND + figure.key


def _cell(value: Any) -> Any:
    """A cell as Excel holds it: a moment in local time without its zone (Excel has none)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _column(column: figures.Column) -> tuple[Any, Any]:
    return (column.label, lambda record: _cell(column.value(record)))


def drilldown_rows(user: AbstractBaseUser, params: Params) -> QuerySet[Any]:
    """The rows of a drill-down for `user` and the stored filter (year, figure, report, street, search)."""
    figure = figures.get(params["key"])
    report = AnnualReport.objects.filter(pk=params["report"]).first() if params.get("report") else None
    records = selectors.drilldown_records(figure, params["year"], user, report)  # type: ignore[arg-type]
    street = Street.objects.filter(code=params["street"]).first() if params.get("street") else None
    return selectors.drilldown_filtered(records, street=street, search=params.get("q", ""))


def register_all() -> None:
    """Register every figure's drill-down export (called once the apps are ready)."""
    for figure in figures.FIGURES:
        register(
            Exporter(
                kind=kind(figure),
                title=lambda figure=figure: str(figure.label),
                columns=[_column(column) for column in figure.columns],
                records=drilldown_rows,
                filename=lambda params: f"{params['key']}-{params['year']}.xlsx",
            )
        )
