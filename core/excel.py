"""Excel out, the one way every export is written: rows streamed into a temporary file, never the whole workbook in RAM.

rustpy-xlsxwriter (Python bindings of rust_xlsxwriter, by XlsxWriter's author) writes each sheet in
constant-memory mode: rows are read from an iterator and written to disk as they come, text inline, so
the memory an export takes does not grow with its rows (`QuerySet.iterator(chunk_size=...)` upstream).
With this module's own work it writes 33,000 rows of the person export's shape per CPU second where
XlsxWriter's pure-Python writer managed 5,200 (issue #22: a million persons in under 3 minutes needs 5,556
rows a second, the database's share included). openpyxl still reads the files (imports, tests). Every text
cell is made inert (`neutralise`) on the way.
"""

import contextvars
import csv
import datetime
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rustpy_xlsxwriter import FastExcel, Format

# The number formats a date, a time of day and a moment are shown with (the writer's own default for a
# moment carries a "T"). A column takes the format of the first value it holds among its first rows.
DATE_FORMATS: dict[type, str] = {
    datetime.datetime: "yyyy-mm-dd h:mm:ss",
    datetime.date: "yyyy-mm-dd",
}
# How many rows a sheet's column kinds are judged on, before the rest are streamed.
KIND_ROWS = 200
# Excel holds at most this many characters in a cell; the writer refuses a longer text.
MAX_TEXT = 32_767
# Characters Excel refuses in a sheet's name.
TITLE_REFUSED = re.compile(r"[\[\]:*?/\\]")
# A percentage shows as one in a spreadsheet program: the cell holds the fraction (1.57) in this format.
PERCENT_FORMAT = "0%"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Cells that a spreadsheet program would run as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A column of a table export: its header (often a lazy translation) and how a record gives its cell.
Column = tuple[Any, Callable[[Any], Any]]
# A sheet's rows as the writer takes them: a mapping from each header to its cell.
Rows = Iterator[dict[str, Any]]


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


class _Fraction(float):
    """A Percent as its cell holds it: the fraction, which its column shows in PERCENT_FORMAT."""


def table(title: str, columns: Sequence[Column], records: Iterable[Any]) -> Sheet:
    """A sheet of one row per record, one cell per column."""
    return Sheet(
        title=title,
        header=[header for header, _get in columns],
        rows=([get(record) for _header, get in columns] for record in records),
    )


# The language and the day of the workbook being written: read once when it starts, not for every cell
# (get_language and timezone.localdate per cell took a quarter of a large export's time), and the same for
# every row of it (an age is an age on one day).
_WRITING: contextvars.ContextVar[tuple[str | None, datetime.date]] = contextvars.ContextVar("writing")


def export_language() -> str | None:
    """The language of the workbook being written, or the active one outside write_xlsx."""
    writing = _WRITING.get(None)
    return writing[0] if writing is not None else get_language()


def export_today() -> datetime.date:
    """The day the workbook being written was started, or today outside write_xlsx."""
    writing = _WRITING.get(None)
    return writing[1] if writing is not None else timezone.localdate()


def labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[Any], Any]:
    """A value's label among `choices`, translated once per language rather than once per row.

    A column of a choice field (`labels(Person.Status.choices)(person.status)`): get_FOO_display and
    gettext for every row took a third of a large export's time.
    """
    pairs = list(choices)
    by_language: dict[str | None, dict[Any, str]] = {}

    def label(value: Any) -> Any:
        language = export_language()
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
    characters a workbook cannot hold (openpyxl refused such a row, quoting the text in its error) and what
    passes Excel's length of a cell; numbers and dates stay."""
    if type(value) is not str:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.make_naive(value)  # shown as the portal's time zone reads it
        if isinstance(value, Percent):
            return _Fraction(float(value.points) / 100)
        if isinstance(value, Decimal):
            return float(value)
        if value is None or isinstance(value, int | float | datetime.date | datetime.time):
            return value
        value = str(value)
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if "\r" in text:
        # A return alone is kept as its escape (_x000D_) by the writer; a line feed is what a reader expects.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:MAX_TEXT]


def _title(title: str, taken: set[str]) -> str:
    """A sheet title Excel takes (31 characters at most, none of []:*?/\\), numbered if another sheet has it."""
    title, number = TITLE_REFUSED.sub("", title).strip("'")[:31] or "-", 0
    candidate = title
    while candidate.lower() in taken:
        number += 1
        candidate = f"{title[: 31 - len(str(number))]}{number}"
    taken.add(candidate.lower())
    return candidate


def _keys(header: Sequence[Any]) -> list[str]:
    """The header's texts, each once: the writer takes a row as a mapping from header to value, so a
    repeated header is shown numbered (`name (2)`)."""
    keys: list[str] = []
    for text in (str(cell(value) if value is not None else "") for value in header):
        key, number = text, 1
        while key in keys:
            number += 1
            key = f"{text} ({number})"
        keys.append(key)
    return keys


def _mappings(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> Rows:
    """Each row as the header's mapping the writer takes, its cells made cells. A function of its own so
    that each sheet's rows keep their own header: the writer reads every sheet's rows only when the
    workbook is saved, after the loop over the sheets has moved on."""
    padded = itertools.repeat(None)
    for row in rows:
        yield {key: cell(value) for key, value in zip(keys, itertools.chain(row, padded), strict=False)}


def _kind_formats(keys: Sequence[str], first: Sequence[dict[str, Any]]) -> dict[str, Format]:
    """A format for each column whose first value (among `first` rows) is a date (a moment takes the
    workbook's own, DATE_FORMATS[datetime]) or a percentage."""
    formats: dict[str, Format] = {}
    for key in keys:
        value = next((row[key] for row in first if row[key] is not None), None)
        kind = type(value) if isinstance(value, datetime.date) else None
        if kind is datetime.date:
            formats[key] = Format().set_num_format(DATE_FORMATS[datetime.date])
        elif isinstance(value, _Fraction):
            formats[key] = Format().set_num_format(PERCENT_FORMAT)
    return formats


def write_xlsx(
    sheets: Iterable[Sheet], *, progress: Callable[[int], None] | None = None, every: int = 2000
) -> IO[bytes]:
    """The workbook of `sheets`, streamed into a temporary file positioned at its start.

    `progress(rows)` is called every `every` data rows (headers not counted) and once at the end.
    The caller closes the file (a FileResponse does).
    """
    written = 0

    def counted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal written
        for row in rows:
            yield row
            written += 1
            if progress is not None and written % every == 0:
                progress(written)

    writing = _WRITING.set((get_language(), timezone.localdate()))
    try:
        file = _write(sheets, counted)
    finally:
        _WRITING.reset(writing)
    if progress is not None:
        progress(written)
    return file


def _write(sheets: Iterable[Sheet], counted: Callable[[Rows], Rows]) -> IO[bytes]:
    """Each sheet's rows, as the header's mappings, through `counted`, into a file in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/export.xlsx"  # written to a path: to a buffer, the writer would hold the whole file
        book = FastExcel(path).format(datetime_format=DATE_FORMATS[datetime.datetime])
        taken: set[str] = set()
        for sheet in sheets:
            keys = _keys(sheet.header)
            rows = _mappings(keys, sheet.rows)
            first = list(itertools.islice(rows, KIND_ROWS))
            # A sheet of no rows still shows its header (the writer takes the header from the first row).
            data = counted(itertools.chain(first, rows)) if first else iter([dict.fromkeys(keys)])
            book.sheet(_title(sheet.title, taken), data, column_formats=_kind_formats(keys, first) or None)
        book.save()
        file = open(path, "rb")  # noqa: SIM115 (the response closes it; the name goes with the folder)
    file.seek(0)
    return file


def xlsx_response(file: IO[bytes], filename: str) -> FileResponse:
    """Send an .xlsx file (from write_xlsx) in chunks, as a download that no cache keeps."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV that spreadsheet programs open as UTF-8 (a byte-order mark first, so Chinese reads), every cell as
    `cell` makes it (text neutralised), lines ended by CRLF as RFC 4180 has them."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")
