"""What a run wrote: the rows and timings it returns, and the stamp it leaves on the person table."""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from services.models import Person

STAMP_PREFIX = "generate_scale "


@dataclass
class ScaleResult:
    """What a run wrote: rows per table, and seconds spent generating, copying and vacuuming."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def service_records(self) -> int:
        """Every row written except persons and the rows services are given from (sessions, employers, centres)."""
        reference = {"services_person", "services_escortslot", "employment_employer", "services_rehabcentre"}
        return sum(n for table, n in self.rows.items() if table not in reference)


def stamp() -> dict[str, Any] | None:
    """What the last run wrote into this database ({"persons", "years", "seed", ...}), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [Person._meta.db_table])
        text = cursor.fetchone()[0] or ""
    return json.loads(text[len(STAMP_PREFIX) :]) if text.startswith(STAMP_PREFIX) else None
