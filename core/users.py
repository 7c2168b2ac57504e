"""How an account is named wherever a person reads it: the person's name, never the login when a name is known."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a model class: imported only for the types (this module loads before the apps)
    from django.contrib.auth.base_user import AbstractBaseUser

# Chinese, Japanese and Korean ideographs: a name written in them puts the family name first, with no space.
_IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def user_display(user: AbstractBaseUser | None) -> str:
    """The name of `user` as people say it (王秀英, Li Ming), or the login when the account has no name; "" for None."""
    if user is None:
        return ""
    first = " ".join((getattr(user, "first_name", "") or "").split())
    last = " ".join((getattr(user, "last_name", "") or "").split())
    if first or last:
        if _IDEOGRAPHS.search(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()
    return str(user.get_username())


def has_name(user: AbstractBaseUser | None) -> bool:
    """True if the account carries a person's name (first or last), not only a login."""
    return bool((getattr(user, "first_name", "") or "").strip() or (getattr(user, "last_name", "") or "").strip())
