"""Excel out, the one way every export is written: rows streamed into a temporary file, never the whole workbook in RAM.

openpyxl's write-only mode keeps one row in memory (each sheet goes to a temporary file as it is
written, and is zipped into the workbook at the end), so the memory an export takes does not grow
with its rows as long as the rows come from an iterator (`QuerySet.iterator(chunk_size=...)`).
Every text cell is made inert (`neutralise`) on the way.
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import FileResponse
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    """A value as openpyxl writes it: lazy translations become text, text is neutralised and loses the control
    characters a workbook cannot hold (openpyxl would refuse the row, quoting the text in its error); numbers
    and dates stay."""
    if value is None or isinstance(value, int | float) or hasattr(value, "isoformat"):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _rows(sheet: Sheet) -> Iterator[list[Any]]:
    yield [cell(value) for value in sheet.header]
    for row in sheet.rows:
        yield [cell(value) for value in row]


def write_xlsx(
    sheets: Iterable[Sheet], *, progress: Callable[[int], None] | None = None, every: int = 2000
) -> IO[bytes]:
    """The workbook of `sheets`, streamed into a temporary file positioned at its start.

    `progress(rows)` is called every `every` data rows (headers not counted) and once at the end.
    The caller closes the file (a FileResponse does).
    """
    book = Workbook(write_only=True)
    written = 0
    for sheet in sheets:
        out = book.create_sheet(sheet.title[:31])
        rows = _rows(sheet)
        out.append(next(rows))
        for row in rows:
            out.append(row)
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    if progress is not None:
        progress(written)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    book.save(file)
    file.seek(0)
    return file


def xlsx_response(file: IO[bytes], filename: str) -> FileResponse:
    """Send an .xlsx file (from write_xlsx) in chunks, as a download that no cache keeps."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
