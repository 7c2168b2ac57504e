"""A system check: the first password hasher must be able to hash, or every log-in that rehashes fails."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.core import checks


def first_hasher_loads(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """An error when the preferred hasher's library (argon2-cffi for accounts.hashers) is not installed.

    Without it an old hash still verifies, but rehashing it at log-in raises: every such log-in would be a 500.
    """
    preferred = get_hashers()[0]
    if preferred.library is None:  # PBKDF2, or MD5 in the tests: nothing to load
        return []
    try:
        preferred._load_library()
    except ValueError as exc:
        return [
            checks.Error(
                str(exc),
                hint=f"pip install -r requirements.txt (PASSWORD_HASHERS[0] is {settings.PASSWORD_HASHERS[0]}).",
                id="accounts.E001",
            )
        ]
    return []
