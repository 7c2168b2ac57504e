"""Template filter naming an account: `{% load users %}{{ visit.visitor|user_display }}` (core.users)."""

from typing import Any

from django import template

from core.users import user_display as _user_display

register = template.Library()


@register.filter
def user_display(user: Any) -> str:
    return _user_display(user)
