"""The annual report as an Excel workbook: the headline figures, then one sheet per breakdown."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.excel import neutralise

from .figures import BREAKDOWN_NAMES, breakdown_name
from .models import AnnualReport
from .selectors import FigureRow


def report_workbook(report: AnnualReport, rows: list[FigureRow]) -> bytes:
    """The workbook of `report` (rows from selectors.report_rows); numbers stay numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    sheet.append(
        [
            _("Figure"),
            _("Unit"),
            _("Value"),
            _("Plan"),
            _("Per cent of plan"),
            _("Previous year"),
            _("Change"),
            _("Summary"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                neutralise(str(row.figure.label)),
                neutralise(str(row.figure.unit)),
                row.value,
                row.plan,
                row.percent_of_plan,
                row.previous,
                row.change,
                neutralise(row.sentence),
            ]
        )
    by_name: dict[str, list[tuple[FigureRow, object]]] = {}
    for row in rows:
        for view in row.breakdowns:
            by_name.setdefault(view.name, []).append((row, view))
    for name in [n for n in BREAKDOWN_NAMES if n in by_name] + sorted(set(by_name) - set(BREAKDOWN_NAMES)):
        sheet = book.create_sheet(breakdown_name(name)[:31])
        sheet.append([_("Figure"), _("Key"), _("Label"), _("Value")])
        for row, view in by_name[name]:
            for bar in view.bars:
                sheet.append([neutralise(str(row.figure.label)), neutralise(bar.key), neutralise(bar.label), bar.value])
    meta = book.create_sheet(_("About")[:31])
    meta.append([_("Year"), report.year])
    meta.append(
        [_("Generated"), timezone.localtime(report.generated_at).replace(tzinfo=None) if report.generated_at else None]
    )
    meta.append([_("Code version"), neutralise(report.code_version)])
    meta.append([_("Official"), _("yes") if report.is_frozen else _("no")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
