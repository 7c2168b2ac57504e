"""Rows as COPY reads them: the Table writer, the value formatting and the timestamp helpers."""

import datetime
import heapq
import itertools
import random
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.db import models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped(value: str) -> str:
    # Generated text seldom has anything to escape, and looking is quicker than translating.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


# How a value of each type is written; any other type as str() writes it.
_FORMATS: dict[type, Callable[[Any], str]] = {
    str: _escaped,
    bool: lambda value: "t" if value else "f",
    type(None): lambda _value: "\\N",
}


def _text(value: Any) -> str:
    format_ = _FORMATS.get(type(value))
    if format_ is None:
        format_ = _escaped if isinstance(value, str) else str
    return format_(value)


_REQUIRED = object()


def _default(f: models.Field) -> Any:
    if f.has_default() and not callable(f.default):
        return f.default
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField) and f.blank:
        return ""
    return _REQUIRED


# Rows a table holds in memory before they go to a temporary file as one sorted run: the generator's
# memory stays the same whatever the size, and the runs are merged as they are copied in.
RUN_ROWS = 20_000
# Characters handed to COPY at a time.
COPY_CHUNK = 1 << 20


class _Lines:
    """An iterator of lines (each ending in a newline) read as a file, as COPY FROM STDIN reads it."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines

    def read(self, size: int = COPY_CHUNK) -> str:
        chunk = "".join(itertools.islice(self.lines, max(1, size // 256)))
        return chunk


class Table:
    """Rows of one table as COPY text lines, spilled to temporary files in sorted runs of RUN_ROWS and
    merged when written. Columns left out take the model's defaults."""

    def __init__(self, model: type[models.Model], *, fields: list[str] | None = None, with_id: bool = False) -> None:
        self.table = model._meta.db_table
        concrete = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.GeneratedField) and (with_id or not f.primary_key)
        ]
        if fields is not None:
            concrete = [f for f in concrete if f.attname in fields]
        self.fields = [f.attname for f in concrete]
        self.columns = [f.column for f in concrete]
        self.defaults = {f.attname: _default(f) for f in concrete}
        self.required = {name for name, value in self.defaults.items() if value is _REQUIRED}
        self.tabs = len(self.fields) - 1
        # Rows are written in the order of their creation time, as years of real use would have left
        # them on disk: a year's records sit together, which is what date-range queries read. Each line
        # is held behind its creation time and its number (fixed width, then a tab), so sorting the lines
        # sorts the rows by creation time, those of the same time in the order they were added.
        self.order = next((name for name in ("created_at", "at") if name in self.fields), None)
        self.lines: list[str] = []
        self.runs: list[IO[str]] = []
        self.count = 0
        self.next_id = 0

    def add(self, **row: Any) -> None:
        missing = self.required - row.keys()
        if missing:
            raise KeyError(f"{self.table}: no value for {', '.join(sorted(missing))}")
        get = row.get
        values = [get(name, default) for name, default in self.defaults.items()]
        # The quick way for the rows of millions: text as it is, other values as str() writes them. Text
        # with something to escape shows in the line as a whole (a backslash more than the nulls' \N, a
        # tab too many, a line break), and that row takes the careful way.
        line = "\t".join(
            [
                v
                if v.__class__ is str
                else "\\N"
                if v is None
                else ("t" if v else "f")
                if v.__class__ is bool
                else str(v)
                for v in values
            ]
        )
        if line.count("\\") != values.count(None) or "\n" in line or "\r" in line or line.count("\t") != self.tabs:
            line = "\t".join([_text(v) for v in values])
        if self.order:
            line = f"{get(self.order, self.defaults[self.order])}\x00{self.count:012d}\t{line}"
        self.lines.append(line + "\n")
        self.count += 1
        if len(self.lines) == RUN_ROWS:
            self._spill()

    def _spill(self) -> None:
        """Write the lines held to a temporary file, sorted, and let them go."""
        if self.order:
            self.lines.sort()
        run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed in write)
        run.writelines(self.lines)
        run.seek(0)
        self.runs.append(run)
        self.lines = []

    def reserve(self, cursor: Any) -> None:
        """Lock the table and take the ids after its largest, so rows get their ids before COPY."""
        cursor.execute(f'LOCK TABLE "{self.table}" IN EXCLUSIVE MODE')
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
        self.next_id = cursor.fetchone()[0] + 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, cursor: Any) -> int:
        """COPY the rows in, in creation-time order; move the id sequence past them. Returns the number of rows."""
        if self.order:
            self.lines.sort()
            merged: Iterator[str] = heapq.merge(self.lines, *self.runs)
            lines: Iterator[str] = (line[line.index("\t") + 1 :] for line in merged)
        else:
            lines = itertools.chain(*self.runs, self.lines)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        try:
            cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', _Lines(lines), COPY_CHUNK)
        finally:
            for run in self.runs:
                run.close()
            self.lines, self.runs = [], []
        if self.count and "id" in self.columns:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM \"{self.table}\"))",
                [self.table],
            )
        return self.count


def _at(day: datetime.date, hour: int = 10) -> str:
    """A timestamp in Shanghai time, as COPY reads it."""
    return f"{day.isoformat()} {hour:02d}:00:00+08"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A random day from `start` to `end` (both included; `start` when the range is empty)."""
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _stamped(day: datetime.date, hour: int = 10) -> dict[str, str]:
    at = _at(day, hour)
    return {"created_at": at, "updated_at": at}
