"""Template filter naming an account: `{% load users %}{{ visit.visitor|user_display }}` (core.users)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from core.users import user_display as _user_display

if TYPE_CHECKING:  # a model class: imported only for the types
    from django.contrib.auth.base_user import AbstractBaseUser

register = template.Library()


@register.filter
def user_display(user: AbstractBaseUser | None) -> str:
    return _user_display(user)
