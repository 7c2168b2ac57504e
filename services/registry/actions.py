"""Writes to persons (saving one, merging a duplicate into another), each with its history row (history_by) and
audit entry."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Person, User
from services.registry import lifecycle
from services.registry.audit import audit_record, audit_saved, field_values, history_by
from services.registry.households import household_link
from services.registry.permissions import action_permission_check
from services.registry.selectors import merge_conflicts, person_relations

# The household is not compared: it follows street and address.
_NOT_COMPARED = ("household",)


@transaction.atomic
def person_save(*, person: Person, by: User) -> Person:
    """Create or update a person after full validation; history and audit name the user.

    Raises ValidationError if the record breaks a rule.
    """
    creating = person._state.adding
    stored = None if creating else Person.objects.select_for_update().get(pk=person.pk)
    before = None if stored is None else field_values(stored, ignore=_NOT_COMPARED)
    person.full_clean()
    history_by(person, by)
    person.save()
    household_link(person=person)
    changed = audit_saved(
        obj=person,
        by=by,
        before=before,
        created_code="services.person.created",
        created_data={"street": person.street_id},
        updated_code="services.person.updated",
    )
    if person.status != Person.Status.ACTIVE and {"status", "status_changed_on"} & set(changed):
        # Deceased or moved out (or that date corrected): what was to come for them ends, with the reason.
        lifecycle.person_services_end(person=person, by=by)
    return person


MERGE_PERMISSION = "services.merge_person"


def _move_records(*, kept: Person, other: Person, by: User) -> dict[str, int]:
    """Point every record of `other` at `kept`; how many moved, per model."""
    moved: dict[str, int] = {}
    for field in person_relations():
        model = field.model
        rows = model._base_manager.filter(**{field.name: other})
        if getattr(model._meta, "simple_history_manager_attribute", None):
            # One save per row, so each moved record's history names who moved it.
            rows_moved = list(rows)
            for row in rows_moved:
                setattr(row, field.attname, kept.pk)
                history_by(row, by)
                row.save(update_fields=[field.attname])
            count = len(rows_moved)
        else:
            count = rows.update(**{field.attname: kept.pk})
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    return moved


@transaction.atomic
def person_merge(*, kept: Person, other: Person, by: User, reason: str) -> Person:
    """Merge the duplicate record `other` into `kept`: every service record of every app moves to `kept`;
    `other` stays, pointing at `kept`, and drops out of lists, figures and searches.

    Both rows are locked. History rows and audit entries are kept as they were; each moved record gets a
    history row naming `by`. Raises ValidationError if `by` may not merge, the two are one record, either
    was already merged, no reason is given, or a unique rule would break (listing the records concerned).
    """
    action_permission_check(by, MERGE_PERMISSION)
    if kept.pk == other.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same_person")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why these records are the same person.")}, code="required")
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")}
    kept, other = locked[kept.pk], locked[other.pk]
    if kept.merged_into_id is not None or other.merged_into_id is not None:
        raise ValidationError(_("One of these records was already merged into another."), code="already_merged")
    if by is not None and Person.objects.visible_to(by).filter(pk__in=locked).count() != 2:
        raise PermissionDenied
    conflicts = merge_conflicts(kept=kept, other=other)
    if conflicts:
        raise ValidationError(
            _(
                "These records cannot be merged: both have a record that may exist only once. Correct or cancel one "
                "of each pair first: %(conflicts)s"
            ),
            code="conflict",
            params={"conflicts": "; ".join(conflicts)},
        )
    try:
        # A savepoint: a unique rule merge_conflicts cannot read (one on an expression) refuses the merge whole.
        with transaction.atomic():
            moved = _move_records(kept=kept, other=other, by=by)
    except IntegrityError as exc:
        raise ValidationError(
            _("These records cannot be merged: both have a record that may exist only once."), code="conflict"
        ) from exc
    other.merged_into, other.merged_at = kept, timezone.now()
    history_by(other, by)
    other.save(update_fields=["merged_into", "merged_at", "updated_at"])
    audit_record(
        obj=kept, code="services.person.merged", by=by, data={"from": other.pk, "moved": moved, "reason": reason}
    )
    audit_record(obj=other, code="services.person.merged_away", by=by, data={"into": kept.pk, "reason": reason})
    if kept.status != Person.Status.ACTIVE:
        # The duplicate's bookings and applications after the kept record's death or moving out end too.
        lifecycle.person_services_end(person=kept, by=by)
    return kept
