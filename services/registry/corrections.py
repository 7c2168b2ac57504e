"""Corrections of closed records: the reason rule, the record of what moved in the figures, and its audit entry.

The `*_correct` actions (escort_booking_correct, accessibility's retrofit_correct) lock their record,
check the user and the reason here, count the figures of the record's year before and after their change
(`figures_before`, then `correction_record`), and write one `Correction` row and one audit entry.
The figures are defined in `reports`, which `services` never imports: `reports` registers its counter
here when it starts, as apps register their timeline entries.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models import Correction, Person, User
from services.registry.audit import audit_record
from services.registry.permissions import action_permission_check

CORRECT = "services.correct_closed_record"
MAX_REASON = 200

# (model, year) -> {figure key: {"value": n, "breakdowns": {name: {key: n}}}} for the figures counting that model.
FigureCounter = Callable[[type[models.Model], int], dict[str, dict[str, Any]]]
_counters: list[FigureCounter] = []


def register_figure_counter(counter: FigureCounter) -> FigureCounter:
    """Add a counter of the figures a model's records feed (registering twice is harmless)."""
    if counter not in _counters:
        _counters.append(counter)
    return counter


def figures_of(model: type[models.Model], year: int) -> dict[str, dict[str, Any]]:
    """The figures of `year` that count records of `model`, as every registered counter counts them now."""
    counted: dict[str, dict[str, Any]] = {}
    for counter in _counters:
        counted.update(counter(model, year))
    return counted


def figure_effects(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What moved between two countings of the same figures: per figure, the value's and each breakdown key's
    change, leaving out what did not move (and figures where nothing did)."""
    effects: dict[str, dict[str, Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, {}), after.get(key, {})
        value = new.get("value", 0) - old.get("value", 0)
        breakdowns: dict[str, dict[str, int]] = {}
        old_b, new_b = old.get("breakdowns", {}), new.get("breakdowns", {})
        for name in sorted(set(old_b) | set(new_b)):
            keys = set(old_b.get(name, {})) | set(new_b.get(name, {}))
            moved = {k: new_b.get(name, {}).get(k, 0) - old_b.get(name, {}).get(k, 0) for k in sorted(keys)}
            moved = {k: d for k, d in moved.items() if d}
            if moved:
                breakdowns[name] = moved
        if value or breakdowns:
            effects[key] = {"value": value, "breakdowns": breakdowns}
    return effects


def correction_check(*, by: User | None, reason: str) -> str:
    """The stripped reason, once `by` may correct closed records and gave one.

    Raises ValidationError: code "permission_denied" without the permission (or for the system, which never
    corrects: a correction names who made it), "required" for a blank reason, "too_long" past 200 characters.
    """
    if by is None:
        raise ValidationError(_("You do not have permission to do this."), code="permission_denied")
    action_permission_check(by, CORRECT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for the correction: it is shown with it."), code="required")}
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": ValidationError(_("At most %(max)d characters."), code="too_long", params={"max": MAX_REASON})}
        )
    return reason


def correction_record(
    *,
    obj: models.Model,
    person: Person,
    kind: str,
    old: str,
    new: str,
    year: int,
    reason: str,
    by: User,
    before: dict[str, dict[str, Any]],
    code: str,
) -> Correction:
    """Record a correction just saved on `obj` (inside the action's transaction): the figures of `year` are
    counted again and compared with `before`; writes the Correction row and the audit entry `code`."""
    effects = figure_effects(before, figures_of(type(obj), year))
    correction = Correction.objects.create(
        by=by,
        model=obj._meta.label_lower,
        object_id=obj.pk,
        person=person,
        kind=kind,
        old=old,
        new=new,
        year=year,
        reason=reason,
        effects=effects,
    )
    audit_record(
        obj=obj,
        code=code,
        by=by,
        data={
            "kind": kind,
            "from": old,
            "to": new,
            "year": year,
            "correction": correction.pk,
            "figures": {key: e["value"] for key, e in effects.items()},
        },
    )
    return correction
