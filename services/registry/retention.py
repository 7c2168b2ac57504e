"""How long the audit trails are kept, and the purge job: the only way their rows are ever deleted.

The trails are the access log, the audit entries and every simple-history table. They are kept
AUDIT_RETENTION_DAYS (three years unless set), never less than MIN_RETENTION_DAYS (six months): a
shorter setting stops the portal at start-up and the purge alike. The purge deletes with one
DELETE per table, and records what it removed in the audit trail itself.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from simple_history.models import HistoricalChanges

from services.models import AccessLog, AuditEntry
from services.models.registry import ImmutableQuerySet
from services.registry.audit import audit_record
from services.registry.retention_policy import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, checked_retention_days


def retention_days() -> int:
    """The configured retention in days. Raises ImproperlyConfigured below the six-month minimum."""
    return checked_retention_days(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def audit_trails() -> list[tuple[type[models.Model], str]]:
    """Every audit table with the field that dates its rows: the access log, audit entries, each history table."""
    trails: list[tuple[type[models.Model], str]] = [(AccessLog, "at"), (AuditEntry, "at")]
    trails += [(model, "history_date") for model in apps.get_models() if issubclass(model, HistoricalChanges)]
    return trails


def audit_trail_purge(*, now: datetime.datetime) -> dict[str, int]:
    """Delete the audit rows older than the retention period; returns the rows deleted per table.

    Rows younger than MIN_RETENTION_DAYS are never deleted, whatever the setting.
    Raises ImproperlyConfigured if AUDIT_RETENTION_DAYS is below the minimum.
    """
    days = retention_days()
    cutoff = now - datetime.timedelta(days=days)
    # A second guard, independent of the setting's check: nothing of the last six months goes.
    cutoff = min(cutoff, now - datetime.timedelta(days=MIN_RETENTION_DAYS))
    deleted: dict[str, int] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The log tables' trigger (migration services 0009) lets this transaction, and no other, delete.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jingan.audit_purge = 'on'")
        for model, field in audit_trails():
            doomed = model._default_manager.filter(**{f"{field}__lt": cutoff})
            # Log rows refuse delete() (ImmutableQuerySet) but for this purge; history rows delete plainly.
            # Either way it is one DELETE ... WHERE: no rows loaded, no signals (none are connected).
            count = doomed.purge() if isinstance(doomed, ImmutableQuerySet) else doomed.delete()[0]
            if count:
                deleted[model._meta.label_lower] = count
        audit_record(
            obj=AuditEntry,
            code="services.audit.purged",
            by=None,
            data={"cutoff": cutoff.isoformat(), "retention_days": days, "deleted": deleted},
        )
    return deleted
