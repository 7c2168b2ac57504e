"""The exports the portal makes, registered by the apps that own them (this app imports none of them).

An exporter says how to list its records again for a user from stored parameters (the worker has no
request), and how a record becomes a row. Listing starts from what the owner may see, so a job is
scoped to its owner like the page that asked for it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.excel import Column

Params = dict[str, Any]


@dataclass(frozen=True)
class Exporter:
    kind: str
    title: Callable[[], str]  # the sheet's title, in the language the export was asked in
    columns: Sequence[Column]
    records: Callable[[AbstractBaseUser, Params], QuerySet[Any]]
    filename: Callable[[Params], str]


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    """Make `exporter` known by its kind (registering the same kind again replaces it)."""
    EXPORTERS[exporter.kind] = exporter
    return exporter


def exporter_for(kind: str) -> Exporter:
    """The exporter of `kind`. Raises KeyError for a kind nobody registered."""
    return EXPORTERS[kind]
