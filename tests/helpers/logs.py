"""Append-only records (logs, audit entries, status histories): written once, never changed or deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import models


def assert_append_only(row: models.Model, **changes: object) -> None:
    """Saving `row` with `changes` and deleting it each raise a ValidationError (the caller checks the row
    in the database is as it was)."""
    for field, value in changes.items():
        setattr(row, field, value)
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
