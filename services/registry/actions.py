"""Writes to persons, each with its history row (history_by) and audit entry."""

from typing import Any

from django.db import transaction

from services.models import Person, User
from services.registry.audit import audit_record, history_by
from services.registry.households import household_link

_NOT_COMPARED = {"id", "created_at", "updated_at", "household"}  # the household follows street and address


def _changed_fields(before: dict[str, Any], person: Person) -> list[str]:
    return sorted(name for name, old in before.items() if getattr(person, name) != old)


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if not f.generated and f.name not in _NOT_COMPARED
    }


@transaction.atomic
def person_save(*, person: Person, by: User) -> Person:
    """Create or update a person after full validation; history and audit name the user.

    Raises ValidationError if the record breaks a rule.
    """
    creating = person._state.adding
    before = {} if creating else _snapshot(Person.objects.select_for_update().get(pk=person.pk))
    person.full_clean()
    history_by(person, by)
    person.save()
    household_link(person=person)
    if creating:
        audit_record(obj=person, code="services.person.created", by=by, data={"street": person.street_id})
    else:
        changed = _changed_fields(before, person)
        if changed:
            audit_record(obj=person, code="services.person.updated", by=by, data={"fields": changed})
    return person
