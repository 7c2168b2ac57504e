"""How a figure is counted, and every figure of a year counted in ONE SQL statement.

A `Tally` names a figure's records for a year (a queryset from the app that owns them), what is
counted in them (rows, distinct values of a field, or the sum of a field) and the keys of its
breakdowns. `count_all` compiles each figure's queryset with the ORM and wraps it in

    SELECT figure, breakdown, key, n FROM (<records>) GROUP BY GROUPING SETS ((), (key 1), (key 2), ...)

joined by UNION ALL, so the database reads a figure's records once for its value and the breakdowns
whose keys are single-valued, and the whole report is one round trip. Each figure's records are a
CTE, shared by the figures that count the same records. A many-valued key (a booking's services)
would repeat the record once per key, so it gets a SELECT of its own: the CTE joined to the
many-to-many table. SQLite has no GROUPING SETS: there each set is its own SELECT.

Compiling the statement (a queryset per set of records, through the ORM) costs as much as counting a
registry of 20,000 persons, so `count_all` compiles it once per process and reuses it (`compiled`).
The statement runs on the database the router reads the records from: the replica inside
`core.db.replica_reads()` (the report job's counting), else the primary.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import connection, connections
from django.db.models import Count, F, Model, QuerySet, Sum
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone

from core.db import reading_from

Streets = Iterable[Any] | QuerySet | None


def related_model(model: type[Model], lookup: str) -> type[Model]:
    """The model a foreign-key `lookup` of `model` leads to (the person of a record, its street). Raises ValueError."""
    for part in lookup.split(LOOKUP_SEP):
        field_ = model._meta.get_field(part)
        if not (field_.is_relation and field_.related_model):
            raise ValueError(f"{lookup} does not lead to a model")
        model = field_.related_model
    return model


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


# eq=False: a tally is itself, hashed by identity, so the compiled statements can be cached by the tallies.
@dataclass(frozen=True, eq=False)
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

    def __post_init__(self) -> None:
        # GROUPING SETS cannot tell two sets of the same column apart: the second would stay empty.
        lookups = list(self.by.values())
        if len(set(lookups)) < len(lookups):
            raise ValueError(f"Two breakdowns have the same key: {self.by}")

    def value(self, year: int, streets: Streets = None) -> int:
        """The figure for `year`, on the given streets (the whole district when None), in one query."""
        records = self.records(year)
        if streets is not None:
            if self.street is None:
                raise ValueError("This figure is counted for the whole district only.")
            records = records.filter(**{f"{self.street}__in": streets})
        aggregate = Coalesce(Sum(self.total), 0) if self.total else Count(self.count, distinct=self.distinct)
        return records.aggregate(n=aggregate)["n"]

    def listed(self, year: int) -> QuerySet:
        """The rows the figure is made of, one per unit counted: its records; with `distinct`, each object
        of the counted field once (the persons, the streets), so the list is as long as the figure; with
        `total`, the records whose field is summed."""
        records = self.records(year)
        if not self.distinct:
            return records
        model = related_model(records.model, self.count)
        return model._default_manager.filter(pk__in=records.order_by().values(self.count))

    def n(self, column: str, *, distinct: bool = False) -> str:
        """The SQL aggregate of this tally over `column`."""
        if self.total:
            return f"CAST(COALESCE(SUM({column}), 0) AS BIGINT)"
        return f"CAST(COUNT({'DISTINCT ' if distinct or self.distinct else ''}{column}) AS BIGINT)"


@dataclass
class _Source:
    """The records of one or more tallies for a year, as a CTE with a column per field they read."""

    name: str
    records: QuerySet
    columns: dict[str, str] = field(default_factory=dict)  # lookup -> column

    def column(self, lookup: str) -> str:
        return self.columns.setdefault(lookup, f"c{len(self.columns)}")

    def query(self) -> tuple[str, list[Any]]:
        """The records' SELECT of these columns, compiled by the ORM, and its parameters."""
        values = self.records.values(**{column: F(lookup) for lookup, column in self.columns.items()})
        # The connection itself, not django.db.connection: the compiler reads its attributes thousands of
        # times, and each read through that proxy looks the connection up again (a tenth of compiling).
        sql, params = values.query.get_compiler(connection=connections[self.records.db]).as_sql()
        return sql, list(params)


def _keys_of_records(model: type[Model], lookup: str) -> _Source:
    """Rows (record, key) of a key reached through the records' own many-to-many field (a booking's services)."""
    name, _sep, rest = lookup.partition(LOOKUP_SEP)
    relation = model._meta.get_field(name)
    if not (relation.many_to_many and relation.concrete):
        raise ValueError(f"A many-valued key must start at a many-to-many field of {model.__name__}: {lookup}")
    through = relation.remote_field.through
    target = relation.m2m_reverse_field_name()
    key = f"{target}{LOOKUP_SEP}{rest}" if rest else target
    return _Source("", through.objects.all(), {relation.m2m_field_name(): "c0", key: "c1"})


def _grouped(label: str, n: str, source: str, keys: dict[str, str]) -> tuple[str, list[Any]]:
    """SELECTs of a tally's value and of its breakdowns `keys` (name -> column of `source`)."""
    total = (f"SELECT %s, '', NULL, {n} FROM {source} t", [label])
    if not keys:
        return total
    if connection.vendor != "postgresql":  # no GROUPING SETS: a SELECT per set
        parts = [total] + [
            (f"SELECT %s, %s, CAST(t.{c} AS TEXT), {n} FROM {source} t GROUP BY t.{c}", [label, name])
            for name, c in keys.items()
        ]
        return " UNION ALL ".join(sql for sql, _p in parts), [p for _sql, ps in parts for p in ps]
    which = " ".join(f"WHEN GROUPING(t.{c}) = 0 THEN %s" for c in keys.values())
    value = " ".join(f"WHEN GROUPING(t.{c}) = 0 THEN CAST(t.{c} AS TEXT)" for c in keys.values())
    sets = ", ".join(["()", *(f"(t.{c})" for c in keys.values())])
    sql = f"SELECT %s, CASE {which} ELSE '' END, CASE {value} END, {n} FROM {source} t GROUP BY GROUPING SETS ({sets})"
    return sql, [label, *keys]


def statement(tallies: dict[str, Tally], year: int) -> tuple[str, list[Any]]:
    """The one SQL statement of (figure, breakdown, key, n) rows for every tally of `year`, and its parameters.

    Tallies of the same records (home rehabilitation people and sessions) share one CTE, which
    PostgreSQL reads once. A many-valued key is grouped over the CTE joined to its many-to-many table.
    """
    sources: dict[Callable[[int], QuerySet], _Source] = {}
    selects: list[tuple[str, list[Any]]] = []
    for label, tally in tallies.items():
        source = sources.get(tally.records)
        if source is None:
            source = sources[tally.records] = _Source(f"records_{len(sources)}", tally.records(year).order_by())
        counted = source.column(tally.total or tally.count)
        single = {name: lookup for name, lookup in tally.by.items() if not many_valued(source.records.model, lookup)}
        keys = {name: source.column(lookup) for name, lookup in single.items()}
        selects.append(_grouped(label, tally.n(f"t.{counted}"), source.name, keys))
        for name, lookup in tally.by.items():
            if name not in single:
                record = source.column("pk")
                sql, params = _keys_of_records(source.records.model, lookup).query()
                n = tally.n(f"t.{counted}", distinct=True)  # distinct: a record has several keys
                selects.append(
                    (
                        f"SELECT %s, %s, CAST(m.c1 AS TEXT), {n} FROM {source.name} t "
                        f"JOIN ({sql}) m ON m.c0 = t.{record} GROUP BY m.c1",
                        [label, name, *params],
                    )
                )
    ctes = [(source.name, *source.query()) for source in sources.values()]
    sql = (
        "WITH "
        + ", ".join(f"{name} AS ({c})" for name, c, _p in ctes)
        + " "
        + " UNION ALL ".join(s for s, _p in selects)
    )
    return sql, [p for _n, _c, ps in ctes for p in ps] + [p for _s, ps in selects for p in ps]


@functools.lru_cache(maxsize=64)
def _compiled(
    tallies: tuple[tuple[str, Tally], ...], year: int, vendor: str, zone: str, today: datetime.date
) -> tuple[str, tuple[Any, ...]]:
    # The key holds what compiling reads besides the tallies: the database's dialect, the time zone that
    # gives a year's first and last instant, and today (a rule may count up to it, PLACEMENT_MIN_DAYS).
    sql, params = statement(dict(tallies), year)
    return sql, tuple(params)


def compiled(tallies: dict[str, Tally], year: int) -> tuple[str, tuple[Any, ...]]:
    """`statement(tallies, year)`, compiled once per process for the same tallies, year, time zone and day.

    A figure registry of other tallies is another key; a changed setting (a counting rule's, the time
    zone) empties the cache, since a rule reads settings when its queryset is built.
    """
    return _compiled(
        tuple(tallies.items()), year, connection.vendor, timezone.get_current_timezone_name(), timezone.localdate()
    )


@receiver(setting_changed)
def _forget_compiled(**_kwargs: Any) -> None:
    _compiled.cache_clear()


def database(records: Iterable[QuerySet]) -> str:
    """The one database the router reads all these records from (one statement reads them all)."""
    aliases = {qs.db for qs in records}
    if len(aliases) != 1:
        raise ValueError(f"The records are read from {sorted(aliases)}, not from one database")
    return aliases.pop()


def count_all(tallies: dict[str, Tally], year: int) -> dict[str, Counted]:
    """Every tally's value and breakdowns for `year`, by label, in one SQL statement."""
    if not tallies:
        return {}
    # The scope's choice is the router's for every model (core.db.ReplicaRouter); building the querysets to
    # ask it model by model would cost what the compiled cache saves.
    with connections[reading_from()].cursor() as cursor:
        cursor.execute(*compiled(tallies, year))
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


def record_ids(listed: dict[str, QuerySet]) -> dict[str, list[int]]:
    """The primary keys of each queryset's rows, by label, in one SQL statement (so one snapshot of the records)."""
    if not listed:
        return {}
    parts = [(label, _Source("", records.order_by(), {"pk": "c0"}).query()) for label, records in listed.items()]
    sql = " UNION ALL ".join(f"SELECT %s, t.c0 FROM ({select}) t" for _label, (select, _p) in parts)
    params = [p for label, (_select, ps) in parts for p in [label, *ps]]
    ids: dict[str, list[int]] = {label: [] for label in listed}
    with connections[database(listed.values())].cursor() as cursor:
        cursor.execute(sql, params)
        for label, pk in cursor.fetchall():
            ids[label].append(pk)
    return ids
