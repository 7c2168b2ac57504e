"""Rows as COPY reads them: the Table writer, the value formatting and the timestamp helpers."""

import datetime
import io
import random
from typing import Any

from django.db import models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


_REQUIRED = object()


def _default(f: models.Field) -> Any:
    if f.has_default() and not callable(f.default):
        return f.default
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField) and f.blank:
        return ""
    return _REQUIRED


class Table:
    """Rows of one table, held as COPY text lines until written. Columns left out take the model's defaults."""

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
        self.lines: list[str] = []
        # Rows are written in the order of their creation time, as years of real use would have left
        # them on disk: a year's records sit together, which is what date-range queries read.
        self.order = next((name for name in ("created_at", "at") if name in self.fields), None)
        self.keys: list[Any] = []
        self.next_id = 0

    def add(self, **row: Any) -> None:
        values = {**self.defaults, **row}
        missing = [name for name, value in values.items() if value is _REQUIRED]
        if missing:
            raise KeyError(f"{self.table}: no value for {', '.join(missing)}")
        self.lines.append("\t".join([_text(values[name]) for name in self.fields]))
        if self.order:
            self.keys.append(str(values[self.order]))

    def reserve(self, cursor: Any) -> None:
        """Lock the table and take the ids after its largest, so rows get their ids before COPY."""
        cursor.execute(f'LOCK TABLE "{self.table}" IN EXCLUSIVE MODE')
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
        self.next_id = cursor.fetchone()[0] + 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, cursor: Any) -> int:
        """COPY the rows in; move the id sequence past them. Returns the number of rows."""
        count = len(self.lines)
        if self.keys:
            self.lines = [self.lines[i] for i in sorted(range(count), key=self.keys.__getitem__)]
        columns = ", ".join(f'"{c}"' for c in self.columns)
        for start in range(0, count, 200_000):
            chunk = "\n".join(self.lines[start : start + 200_000]) + "\n"
            cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', io.StringIO(chunk))
        if count and "id" in self.columns:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM \"{self.table}\"))",
                [self.table],
            )
        self.lines, self.keys = [], []
        return count


def _at(day: datetime.date, hour: int = 10) -> str:
    """A timestamp in Shanghai time, as COPY reads it."""
    return f"{day.isoformat()} {hour:02d}:00:00+08"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A random day from `start` to `end` (both included; `start` when the range is empty)."""
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _stamped(day: datetime.date, hour: int = 10) -> dict[str, str]:
    at = _at(day, hour)
    return {"created_at": at, "updated_at": at}
