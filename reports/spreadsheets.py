"""The annual report as an Excel workbook: the headline figures, then one sheet per breakdown."""

from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.excel import Percent, Sheet, write_xlsx

from .figures import BREAKDOWN_NAMES, breakdown_name
from .models import AnnualReport
from .selectors import FigureRow


def _breakdown_sheets(rows: list[FigureRow]) -> Iterator[Sheet]:
    by_name: dict[str, list[tuple[FigureRow, Any]]] = {}
    for row in rows:
        for view in row.breakdowns:
            by_name.setdefault(view.name, []).append((row, view))
    for name in [n for n in BREAKDOWN_NAMES if n in by_name] + sorted(set(by_name) - set(BREAKDOWN_NAMES)):
        yield Sheet(
            title=breakdown_name(name),
            header=[_("Figure"), _("Key"), _("Label"), _("Value")],
            rows=(
                [str(row.figure.label), bar.key, bar.label, bar.value]
                for row, view in by_name[name]
                for bar in view.bars
            ),
        )


def report_workbook(report: AnnualReport, rows: list[FigureRow]) -> IO[bytes]:
    """The workbook of `report` (rows from selectors.report_rows), as a file; numbers stay numbers."""
    figures = Sheet(
        title=_("Figures"),
        header=[
            _("Figure"),
            _("Unit"),
            _("Value"),
            _("Plan"),
            _("Per cent of plan"),
            _("Previous year"),
            pgettext("against the previous year", "Change"),
            _("Summary"),
        ],
        rows=(
            [
                str(row.figure.label),
                str(row.figure.unit),
                row.value,
                row.plan,
                None if row.percent_of_plan is None else Percent(row.percent_of_plan),
                row.previous,
                row.change,
                row.sentence,
            ]
            for row in rows
        ),
    )
    generated = timezone.localtime(report.generated_at).replace(tzinfo=None) if report.generated_at else None
    about = Sheet(
        title=_("About"),
        header=[_("Year"), report.year],
        rows=[
            [_("Generated"), generated],
            [_("Code version"), report.code_version],
            [_("Official"), _("yes") if report.is_frozen else _("no")],
        ],
    )
    return write_xlsx([figures, *_breakdown_sheets(rows), about])
