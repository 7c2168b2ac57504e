"""How long the audit trails must be kept, in one place; free of models, so the settings can check it too."""

from django.core.exceptions import ImproperlyConfigured

MIN_RETENTION_DAYS = 183  # six months
DEFAULT_RETENTION_DAYS = 3 * 365


def checked_retention_days(days: object) -> int:
    """Return `days` if it is a whole number of at least MIN_RETENTION_DAYS. Raises ImproperlyConfigured otherwise."""
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS is {days!r}: access logs and change history must be kept at least "
            f"{MIN_RETENTION_DAYS} days (six months). Set a whole number of days of {MIN_RETENTION_DAYS} or more."
        )
    return days
