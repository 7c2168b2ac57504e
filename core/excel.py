"""Excel out, the one way every export is written: rows streamed into a temporary file, never the whole workbook in RAM.

XlsxWriter's constant_memory mode keeps one row in memory (each sheet goes to a temporary file as it
is written, text inline rather than in a shared table, and is zipped into the workbook at the end), so
the memory an export takes does not grow with its rows as long as the rows come from an iterator
(`QuerySet.iterator(chunk_size=...)`). It writes a cell about 1.5 times faster than openpyxl's
write-only mode (issue #22: a million persons in under 3 minutes); openpyxl still reads the files
(imports, tests). Every text cell is made inert (`neutralise`) on the way.
"""

import datetime
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils.translation import get_language
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

# The number formats openpyxl gave dates and times, so that a cell shows as it did.
DATE_FORMATS = {
    datetime.datetime: "yyyy-mm-dd h:mm:ss",
    datetime.date: "yyyy-mm-dd",
    datetime.time: "h:mm:ss",
}
# A percentage shows as one in a spreadsheet program: the cell holds the fraction (1.57) in this format.
PERCENT_FORMAT = "0%"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Cells that a spreadsheet program would run as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A column of a table export: its header (often a lazy translation) and how a record gives its cell.
Column = tuple[Any, Callable[[Any], Any]]


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a title, a header row, then rows of cell values (read once, lazily)."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]


@dataclass(frozen=True)
class Percent:
    """A cell that is a percentage: `Percent(157)` is written as the number 1.57 formatted `0%` (shown
    "157%"), so a spreadsheet program sums, sorts and charts it as a percentage rather than as 157."""

    points: int | float | Decimal


def table(title: str, columns: Sequence[Column], records: Iterable[Any]) -> Sheet:
    """A sheet of one row per record, one cell per column."""
    return Sheet(
        title=title,
        header=[header for header, _get in columns],
        rows=([get(record) for _header, get in columns] for record in records),
    )


def labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[Any], Any]:
    """A value's label among `choices`, translated once per language rather than once per row.

    A column of a choice field (`labels(Person.Status.choices)(person.status)`): get_FOO_display and
    gettext for every row took a third of a large export's time.
    """
    pairs = list(choices)
    by_language: dict[str | None, dict[Any, str]] = {}

    def label(value: Any) -> Any:
        language = get_language()
        texts = by_language.get(language)
        if texts is None:
            texts = by_language[language] = {key: str(text) for key, text in pairs}
        return texts.get(value, value)

    return label


def neutralise(value: Any) -> Any:
    """Make a text cell inert: a leading = + - @ tab or return would be run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value as a cell holds it: lazy translations become text, text is neutralised and loses the control
    characters a workbook cannot hold (openpyxl refused such a row, quoting the text in its error); numbers
    and dates stay."""
    if value is None or isinstance(value, int | float | Percent) or hasattr(value, "isoformat"):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _title(title: str, taken: set[str]) -> str:
    """A sheet title Excel takes (31 characters at most), numbered if another sheet has it already."""
    title, number = title[:31], 0
    candidate = title
    while candidate.lower() in taken:
        number += 1
        candidate = f"{title[: 31 - len(str(number))]}{number}"
    taken.add(candidate.lower())
    return candidate


def _write_row(out: Worksheet, row: int, values: Sequence[Any], formats: dict[type, Any]) -> None:
    """One row of cells, each written by its type (so text is never read as a formula or a link)."""
    for column, value in enumerate(values):
        value = cell(value)
        if value is None:
            continue
        if isinstance(value, str):
            # openpyxl's files read back with a line feed for a return (XML's line ends); XlsxWriter escapes it.
            if "\r" in value:
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            out.write_string(row, column, value)
        elif isinstance(value, bool):
            out.write_boolean(row, column, value)
        elif isinstance(value, int | float):
            out.write_number(row, column, value)
        elif isinstance(value, Percent):
            out.write_number(row, column, float(value.points) / 100, formats[Percent])
        else:
            out.write_datetime(row, column, value, formats[type(value)])


def write_xlsx(
    sheets: Iterable[Sheet], *, progress: Callable[[int], None] | None = None, every: int = 2000
) -> IO[bytes]:
    """The workbook of `sheets`, streamed into a temporary file positioned at its start.

    `progress(rows)` is called every `every` data rows (headers not counted) and once at the end.
    The caller closes the file (a FileResponse does).
    """
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    book = Workbook(file, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    patterns = {**DATE_FORMATS, Percent: PERCENT_FORMAT}
    formats = {kind: book.add_format({"num_format": pattern}) for kind, pattern in patterns.items()}
    written = 0
    taken: set[str] = set()
    for sheet in sheets:
        out = book.add_worksheet(_title(sheet.title, taken))
        _write_row(out, 0, sheet.header, formats)
        for number, row in enumerate(sheet.rows, start=1):
            _write_row(out, number, row, formats)
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    if progress is not None:
        progress(written)
    book.close()
    file.seek(0)
    return file


def xlsx_response(file: IO[bytes], filename: str) -> FileResponse:
    """Send an .xlsx file (from write_xlsx) in chunks, as a download that no cache keeps."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
