"""Open data: the published figures of a frozen report as JSON and CSV, and the version their cache is kept under.

Both formats are built from `selectors.published_rows`, the rows the public page shows, so a count hidden
on the page (reports.disclosure) is hidden in the files the same way: null in JSON, an empty cell in CSV.
Labels come in every language of settings.LANGUAGES, each rendered under `translation.override`.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.excel import csv_bytes

from .disclosure import SMALL_COUNT
from .models import AnnualReport
from .selectors import published_rows

API_VERSION = 1
VERSION_KEY = "opendata:version"
LICENCE = _(
    "Free to reuse, also commercially, when the source is named: “Jing'an District Disabled Persons' Federation”."
)
CSV_COLUMNS = ("year", "figure", "label", "unit", "breakdown", "breakdown_title", "key", "key_label", "value", "plan")
# The columns that hold text, written once per language (label_zh_hans, label_en, ...).
CSV_TEXT_COLUMNS = {"label", "unit", "breakdown_title", "key_label"}


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _column_suffix(code: str) -> str:
    return code.replace("-", "_")


# The visible texts of a report's published rows in one language, by what they name: ("licence",),
# ("label", figure), ("unit", figure), ("sentence", figure), ("title", figure, breakdown),
# ("key", figure, breakdown, key).
Texts = dict[tuple[str, ...], str]


def _texts(rows: list[Any]) -> Texts:
    texts: Texts = {("licence",): str(LICENCE)}
    for row in rows:
        key = row.figure.key
        texts["label", key] = str(row.figure.label)
        texts["unit", key] = str(row.figure.unit)
        texts["sentence", key] = row.sentence
        for view in row.breakdowns:
            texts["title", key, view.name] = view.title
            for bar in view.bars:
                texts["key", key, view.name, bar.key] = bar.label
    return texts


def _published(report: AnnualReport) -> tuple[list[Any], dict[str, Texts]]:
    """The report's published rows (numbers) and their texts in every language."""
    texts = {}
    rows: list[Any] = []
    for code in languages():
        with translation.override(code):
            rows = published_rows(report)
            texts[code] = _texts(rows)
    return rows, texts


def _in_each(texts: dict[str, Texts], *name: str) -> dict[str, str]:
    """One text in every language: {"zh-hans": ..., "en": ...}."""
    return {code: t[name] for code, t in texts.items()}


def report_data(report: AnnualReport) -> dict[str, Any]:
    """The frozen report's published figures as the JSON document of /api/v1/reports/<year>/."""
    rows, texts = _published(report)
    figures = []
    for row in rows:
        key = row.figure.key
        figures.append(
            {
                "key": key,
                "label": _in_each(texts, "label", key),
                "unit": _in_each(texts, "unit", key),
                "value": row.value,
                "plan": row.plan,
                "percent_of_plan": row.percent_of_plan,
                "above_plan": row.above_plan,
                "sentence": _in_each(texts, "sentence", key) if row.sentence else None,
                "breakdowns": [
                    {
                        "name": view.name,
                        "title": _in_each(texts, "title", key, view.name),
                        "counts": [
                            {
                                "key": bar.key,
                                "label": _in_each(texts, "key", key, view.name, bar.key),
                                "value": bar.value,  # None (null) when hidden, as the page reads "hidden"
                            }
                            for bar in view.bars
                        ],
                    }
                    for view in row.breakdowns
                ],
            }
        )
    return {
        "dataset": "reports",
        "api_version": API_VERSION,
        "year": report.year,
        "frozen_at": report.frozen_at.isoformat() if report.frozen_at else None,
        "licence": _in_each(texts, "licence"),
        "suppression": {"small_count": SMALL_COUNT, "hidden_value": None},
        "figures": figures,
    }


def csv_header() -> list[str]:
    """The CSV's columns: each text column once per language (label_zh_hans, label_en...)."""
    return [
        f"{name}_{_column_suffix(code)}" if name in CSV_TEXT_COLUMNS else name
        for name in CSV_COLUMNS
        for code in (languages() if name in CSV_TEXT_COLUMNS else [""])
    ]


def _text_cells(texts: dict[str, Texts], figure: str, breakdown: str = "", key: str = "") -> dict[str, str]:
    cells = {}
    for code, t in texts.items():
        suffix = _column_suffix(code)
        cells[f"label_{suffix}"] = t["label", figure]
        cells[f"unit_{suffix}"] = t["unit", figure]
        cells[f"breakdown_title_{suffix}"] = t["title", figure, breakdown] if breakdown else ""
        cells[f"key_label_{suffix}"] = t["key", figure, breakdown, key] if breakdown else ""
    return cells


def _csv_lines(report: AnnualReport) -> Iterator[dict[str, Any]]:
    rows, texts = _published(report)
    for row in rows:
        figure = row.figure.key
        yield {
            "year": report.year,
            "figure": figure,
            "value": row.value,
            "plan": row.plan,
            **_text_cells(texts, figure),
        }
        for view in row.breakdowns:
            for bar in view.bars:
                yield {
                    "year": report.year,
                    "figure": figure,
                    "breakdown": view.name,
                    "key": bar.key,
                    "value": bar.value,  # None: an empty cell, where the page reads "hidden"
                    **_text_cells(texts, figure, view.name, bar.key),
                }


def report_csv(report: AnnualReport) -> bytes:
    """The frozen report's published figures as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese):
    a line per figure, then a line per count of each published breakdown; a hidden count is an empty cell."""
    header = csv_header()
    return csv_bytes(header, ([line.get(name) for name in header] for line in _csv_lines(report)))


# The cache of the API's responses: kept under a version that the actions changing what is published renew.


def cache_version() -> str:
    """The version the API's cached responses are kept under (set once, renewed by `published_changed`)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version)


def _renew() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def published_changed() -> None:
    """Make every cached API response stale once the current transaction commits (a report was frozen)."""
    transaction.on_commit(_renew)
