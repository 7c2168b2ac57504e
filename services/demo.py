"""The services app's demo records, one module per sub-domain; `seed_demo` calls this module's seed()."""

from typing import Any

from services.escorts import demo as escorts_demo
from services.registry import demo as registry_demo
from services.rehab import demo as rehab_demo
from services.visits import demo as visits_demo


def seed(*, year: int, persons: int, stdout: Any) -> None:
    """The demo accounts, registry, visits, escorts and rehabilitation; the same on every run."""
    registry_demo.seed_accounts()
    total = registry_demo.seed_registry(persons, year=year)
    stdout.write(f"Registry: {total} persons.")
    stdout.write(f"Home visits by the demo committee members: {visits_demo.seed_visits()}.")
    escorts_demo.seed(year=year, stdout=stdout)
    rehab_demo.seed(year=year, stdout=stdout)
