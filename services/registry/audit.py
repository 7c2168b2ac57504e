"""Writing the audit trail (append-only): called by actions only, inside their transaction."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from services.models import AuditEntry, User
from services.registry.identity import redact_numbers

M = TypeVar("M", bound=models.Model)


def history_by(obj: M, by: Any) -> M:
    """Name `by` as the author of `obj`'s next history row (simple-history); nobody for anonymous or None."""
    obj._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    return obj


def rows_save(*, saved: Iterable[models.Model], deleted: Iterable[models.Model], by: Any) -> None:
    """Delete `deleted` and save `saved` (an inline's rows, checked by the calling action), each naming `by`."""
    for row in deleted:
        history_by(row, by).delete()
    for row in saved:
        history_by(row, by).save()


# Not what a user changes: compared by no update's audit entry.
_STAMPS = frozenset({"id", "created_at", "updated_at"})


def field_values(obj: models.Model, *, ignore: Iterable[str] = ()) -> dict[str, Any]:
    """`obj`'s own stored values (by attname), but for its id, its time stamps, computed columns and `ignore`:
    taken before an update, so that changed_fields names what the update changed."""
    skipped = _STAMPS | set(ignore)
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.generated and f.name not in skipped
    }


def changed_fields(before: dict[str, Any], obj: models.Model) -> list[str]:
    """The names in `before` (field_values) whose value `obj` no longer has, sorted: an update's audit data."""
    return sorted(name for name, old in before.items() if getattr(obj, name) != old)


def _redacted(value: Any) -> Any:
    """`value` with every number in its strings masked, however deeply nested."""
    if isinstance(value, str):
        return redact_numbers(value)
    if isinstance(value, dict):
        return {redact_numbers(str(k)): _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def audit_record(
    *, obj: models.Model | type[models.Model], code: str, by: User | None, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record one business action on a record, or on a whole model (a bulk import) when given the class.

    `data` holds field names, codes and counts, never ID numbers or diagnoses; a number that slips
    in anyway is masked. `by` None is the system (a task, a migration).
    """
    return AuditEntry.objects.create(**_entry(obj=obj, code=code, by=by, data=data))


def save_audited(obj: models.Model, *, by: User | None, code: str, data: dict[str, Any] | None = None) -> None:
    """Save `obj` (validated by the calling action) naming `by` in its history, and record the audit entry `code`."""
    history_by(obj, by)
    obj.save()
    audit_record(obj=obj, code=code, by=by, data=data)


def update_audited(obj: models.Model, values: dict[str, Any], *, by: User | None, code: str) -> list[str]:
    """Set on `obj` (locked by the calling action) those of `values` that differ, save only them naming `by`, and
    record `code` with the changed names (in the order of `values`); nothing when nothing differs.

    Returns the changed names."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        history_by(obj, by)
        obj.save(update_fields=[*changed, "updated_at"])
        audit_record(obj=obj, code=code, by=by, data={"fields": changed})
    return changed


def audit_saved(
    *,
    obj: models.Model,
    by: User | None,
    before: dict[str, Any] | None,
    created_code: str,
    created_data: dict[str, Any],
    updated_code: str,
) -> list[str]:
    """The audit entry of `obj` just saved by a create-or-update action: `created_code` with `created_data` when
    `before` is None (it was created), else `updated_code` naming the fields changed since `before`
    (field_values), when any changed. Returns those changed fields ([] for a creation)."""
    if before is None:
        audit_record(obj=obj, code=created_code, by=by, data=created_data)
        return []
    changed = changed_fields(before, obj)
    if changed:
        audit_record(obj=obj, code=updated_code, by=by, data={"fields": changed})
    return changed


def audit_records(*, entries: Iterable[tuple[models.Model, dict[str, Any]]], code: str, by: User | None) -> None:
    """Record the same business action on many records at once (one INSERT), each with its own `data`.

    The same rows as `audit_record` called for each: for actions that write many records in one statement.
    """
    AuditEntry.objects.bulk_create(
        [AuditEntry(**_entry(obj=obj, code=code, by=by, data=data)) for obj, data in entries], batch_size=1000
    )


def _entry(
    *, obj: models.Model | type[models.Model], code: str, by: User | None, data: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "code": code,
        "user": by if getattr(by, "pk", None) else None,
        "model": obj._meta.label_lower,
        "object_id": "" if isinstance(obj, type) else str(obj.pk),
        "data": _redacted(data or {}),
    }
