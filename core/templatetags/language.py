"""Template filters for text in the reader's language: `{% load language %}`."""

from collections.abc import Iterable
from typing import Any

from django import template

from core import i18n

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    """`{{ event|localized:"title" }}`: the English text in English mode when there is one, else the Chinese."""
    return i18n.localized(obj, field)


@register.simple_tag
def list_separator() -> str:
    """`{% list_separator %}` between the items of a list written out in a template."""
    return i18n.list_separator()


@register.filter
def join_list(items: Iterable[object], attribute: str = "") -> str:
    """`{{ labels|join_list }}`: joined with 、 in Chinese and with a comma in English.

    `{{ follow_ups|join_list:"get_need_display" }}` joins each item's attribute (called if it is a method).
    """
    if attribute:
        values = (getattr(item, attribute) for item in items)
        items = [value() if callable(value) else value for value in values]
    return i18n.join_list(items)
