"""Writing the audit trail and the access log (both append-only)."""

from typing import Any

from django.db import models

from .models import AccessLog, AuditEntry, Person


def audit_record(
    *, obj: models.Model | type[models.Model], code: str, by: Any, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record one business action on a record, or on a whole model (a bulk import) when given the class.

    `data` holds field names, codes and counts, never ID numbers or diagnoses.
    """
    return AuditEntry.objects.create(
        code=code,
        user=by if getattr(by, "pk", None) else None,
        model=obj._meta.label_lower,
        object_id="" if isinstance(obj, type) else str(obj.pk),
        data=data or {},
    )


def access_log_record(*, user: Any, action: str, person: Person | None = None, detail: str = "") -> AccessLog:
    """Record that `user` opened, revealed or exported personal data."""
    return AccessLog.objects.create(user=user, action=action, person=person, detail=detail[:200])
