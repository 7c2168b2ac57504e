"""What every group of records shares: the generated persons, the run's settings, random stream and tables."""

import datetime
import itertools
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from services.models import Person
from services.registry.selectors import age_on

from .plan import PER_YEAR, REFERENCE_PERSONS
from .result import ScaleResult
from .tables import Table


@dataclass
class Who:
    """One generated person, as the record generators need them."""

    id: int
    street_id: int
    category: int
    born: datetime.date
    start: datetime.date  # the first day a record may carry
    end: datetime.date  # the last: today, or the day the person moved out or died
    household_id: int = 0

    def as_served(self) -> dict[str, int]:
        """The street and category a service record of this person keeps, as Person.as_served gives them."""
        return {"street_id": self.street_id, "category": self.category}

    def aged_on(self, day: datetime.date, ages: tuple[int, int]) -> bool:
        """In the registry on `day`, and of an age within `ages` (both included) then."""
        return self.start <= day <= self.end and ages[0] <= age_on(self.born, day) <= ages[1]


class People:
    """The generated persons, held as arrays of numbers (33 bytes a person) rather than as objects:
    each read makes its Who. random.choice picks from it as it would from a list of them."""

    def __init__(self) -> None:
        self.ids, self.households = array("q"), array("q")
        self.streets, self.born, self.start, self.end = array("i"), array("i"), array("i"), array("i")
        self.categories = array("b")

    def append(self, who: Who) -> None:
        self.ids.append(who.id)
        self.households.append(who.household_id)
        self.streets.append(who.street_id)
        self.categories.append(who.category)
        self.born.append(who.born.toordinal())
        self.start.append(who.start.toordinal())
        self.end.append(who.end.toordinal())

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> Who:
        columns = (self.ids, self.streets, self.categories, self.born, self.start, self.end, self.households)
        return self._who(*(column[i] for column in columns))

    def __iter__(self) -> Iterator[Who]:
        columns = (self.ids, self.streets, self.categories, self.born, self.start, self.end, self.households)
        return itertools.starmap(self._who, zip(*columns, strict=True))

    @staticmethod
    def _who(pk: int, street: int, category: int, born: int, start: int, end: int, household: int) -> Who:
        fromordinal = datetime.date.fromordinal
        return Who(pk, street, category, fromordinal(born), fromordinal(start), fromordinal(end), household)


class GeneratorBase:
    """The state of one run; the record groups (registry.py, visits.py, ...) add a method per step."""

    # Set by users() (registry.py) and read by the other groups of records.
    staff: int
    streets: dict[str, int]
    members: dict[int, int]
    signers: list[int]
    volunteers: list[int]

    def __init__(
        self, *, persons: int, years: int, seed: int, today: datetime.date, log: Callable[[str], None]
    ) -> None:
        self.count, self.years, self.seed, self.today, self.log = persons, years, seed, today, log
        # Records draw from their own stream, so an appended run does not repeat the first one's keys.
        self.rng = random.Random(seed * 1_000_003 + Person.objects.count())
        self.first_day = datetime.date(today.year - years + 1, 1, 1)
        self.scale = persons / REFERENCE_PERSONS
        self.result = ScaleResult()
        self.tables: dict[str, Table] = {}
        self.people = People()

    def table(self, model: type[models.Model], *, reserve: Any = None, **kwargs: Any) -> Table:
        table = Table(model, with_id=reserve is not None, **kwargs)
        if reserve is not None:
            table.reserve(reserve)
        self.tables[table.table] = table
        return table

    def per_year(self, key: str) -> int:
        return max(1, round(PER_YEAR[key] * self.scale))

    def years_covered(self) -> list[tuple[int, datetime.date, datetime.date]]:
        """(year, first day, last day) of every year of the run, the current one up to today."""
        return [
            (year, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), self.today))
            for year in range(self.first_day.year, self.today.year + 1)
        ]
