"""How a figure is counted, and every figure of a year counted in ONE SQL statement.

A `Tally` names a figure's records for a year (a queryset from the app that owns them), what is
counted in them (rows, distinct values of a field, or the sum of a field) and the keys of its
breakdowns. `count_all` compiles each figure's queryset with the ORM and wraps it in

    SELECT figure, breakdown, key, n FROM (<records>) GROUP BY GROUPING SETS ((), (key 1), (key 2), ...)

joined by UNION ALL, so the database reads a figure's records once for its value and the breakdowns
whose keys are single-valued, and the whole report is one round trip. A many-valued key (a
booking's services) would repeat the record once per key, so it gets a SELECT of its own. SQLite
has no GROUPING SETS: there each set is its own SELECT of the same records, still in one statement.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, F, Model, QuerySet, Sum
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce

Streets = Iterable[Any] | QuerySet | None

COUNTED = "tally_counted"
KEY = "tally_key"


def many_valued(model: type[Model], lookup: str) -> bool:
    """Whether `lookup` crosses a many-to-many or reverse foreign key, so a record may have several keys."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field_ = model._meta.get_field(part)
        except FieldDoesNotExist:  # a transform (e.g. "year"): the path ends here
            return False
        if not field_.is_relation:
            return False
        if field_.many_to_many or field_.one_to_many:
            return True
        model = field_.related_model
    return False


@dataclass(frozen=True)
class Counted:
    """A figure's value and its breakdowns (name → key → count; keys with nothing counted left out)."""

    value: int
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    """What a figure counts in its records.

    `count` is the field counted: once per record, or with `distinct` once per value (persons,
    streets). With `total`, that field is summed instead. `by` maps each breakdown's name to the
    lookup of its key. `street` is the lookup that limits the records to some streets; None when
    the figure is counted for the whole district only.
    """

    records: Callable[[int], QuerySet]
    count: str = "pk"
    distinct: bool = False
    total: str = ""
    by: dict[str, str] = field(default_factory=dict)
    street: str | None = "street"

    def value(self, year: int, streets: Streets = None) -> int:
        """The figure for `year`, on the given streets (the whole district when None), in one query."""
        records = self.records(year)
        if streets is not None:
            if self.street is None:
                raise ValueError("This figure is counted for the whole district only.")
            records = records.filter(**{f"{self.street}__in": streets})
        aggregate = Coalesce(Sum(self.total), 0) if self.total else Count(self.count, distinct=self.distinct)
        return records.aggregate(n=aggregate)["n"]

    def statement(self, label: str, year: int) -> tuple[str, list[Any]]:
        """This tally's SELECT of (figure, breakdown, key, n) rows for `year`, and its parameters."""
        records = self.records(year).order_by()
        single = [name for name, lookup in self.by.items() if not many_valued(records.model, lookup)]
        parts = [self._sets(label, records, single)]
        parts += [self._one_set(label, records, name, self._n(distinct=True)) for name in self.by if name not in single]
        return " UNION ALL ".join(sql for sql, _params in parts), [p for _sql, params in parts for p in params]

    def _n(self, *, distinct: bool = False) -> str:
        if self.total:
            return f"CAST(COALESCE(SUM(t.{COUNTED}), 0) AS BIGINT)"
        return f"CAST(COUNT({'DISTINCT ' if distinct or self.distinct else ''}t.{COUNTED}) AS BIGINT)"

    def _inner(self, records: QuerySet, names: list[str]) -> tuple[str, list[Any]]:
        columns = {COUNTED: F(self.total or self.count)}
        columns.update({f"{KEY}_{i}": F(self.by[name]) for i, name in enumerate(names)})
        sql, params = records.values(**columns).query.get_compiler(connection=connection).as_sql()
        return sql, list(params)

    def _one_set(self, label: str, records: QuerySet, name: str, n: str) -> tuple[str, list[Any]]:
        inner, params = self._inner(records, [name])
        key = f"t.{KEY}_0"
        return f"SELECT %s, %s, CAST({key} AS TEXT), {n} FROM ({inner}) t GROUP BY {key}", [label, name, *params]

    def _sets(self, label: str, records: QuerySet, names: list[str]) -> tuple[str, list[Any]]:
        """The value and the breakdowns `names` (single-valued keys) in one GROUPING SETS, or one SELECT each."""
        n = self._n()
        inner, params = self._inner(records, names)
        total = f"SELECT %s, '', NULL, {n} FROM ({inner}) t"
        if not names:
            return total, [label, *params]
        if connection.vendor != "postgresql":
            parts = [(total, [label, *params]), *(self._one_set(label, records, name, n) for name in names)]
            return " UNION ALL ".join(sql for sql, _p in parts), [p for _sql, ps in parts for p in ps]
        keys = [f"t.{KEY}_{i}" for i in range(len(names))]
        which = " ".join(f"WHEN GROUPING({k}) = 0 THEN %s" for k in keys)
        values = " ".join(f"WHEN GROUPING({k}) = 0 THEN CAST({k} AS TEXT)" for k in keys)
        sets = ", ".join(["()", *(f"({k})" for k in keys)])
        sql = (
            f"SELECT %s, CASE {which} ELSE '' END, CASE {values} END, {n} "
            f"FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
        )
        return sql, [label, *names, *params]


def count_all(tallies: dict[str, Tally], year: int) -> dict[str, Counted]:
    """Every tally's value and breakdowns for `year`, by label, in one SQL statement."""
    if not tallies:
        return {}
    statements = [tally.statement(label, year) for label, tally in tallies.items()]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql for sql, _p in statements), [p for _sql, ps in statements for p in ps])
        rows = cursor.fetchall()
    values: dict[str, int] = {}
    breakdowns: dict[str, dict[str, dict[str, int]]] = {label: {n: {} for n in t.by} for label, t in tallies.items()}
    for label, breakdown, key, n in rows:
        if not breakdown:
            values[label] = n
        elif key is not None and n:
            breakdowns[label][breakdown][key] = n
    return {
        label: Counted(values[label], {name: dict(sorted(b.items())) for name, b in breakdowns[label].items()})
        for label in tallies
    }
