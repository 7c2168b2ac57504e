"""Employment fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _in_english(in_english):
    """Every test here reads messages in English (tests/conftest.py: in_english)."""
