"""The two interface languages in running text: English text of a record, and lists joined as each language does."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language

# A record's English text lives beside its Chinese text in a field of the same name ending in this suffix
# (Event.title and Event.title_en); Chinese is the language every record is written in first.
ENGLISH_SUFFIX = "_en"


def in_english() -> bool:
    """Whether the active interface language is English."""
    return (get_language() or "").startswith("en")


def localized(obj: Any, field: str) -> str:
    """`obj.<field>_en` in English mode when it is filled in, else `obj.<field>` (the Chinese text)."""
    if in_english():
        english = getattr(obj, field + ENGLISH_SUFFIX, "") or ""
        if english.strip():
            return str(english)
    return str(getattr(obj, field) or "")


def list_separator() -> str:
    """What separates the items of a list in running text: the enumeration comma 、 in Chinese, ", " in English."""
    return ", " if in_english() else "、"


def join_list(items: Iterable[object]) -> str:
    """Items as a list in running text: 甲、乙、丙 in Chinese, "a, b, c" in English."""
    return list_separator().join(str(item) for item in items if str(item))
