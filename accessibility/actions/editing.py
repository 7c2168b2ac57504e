"""Changing a case before approval (type, contractor, items) and adding its photos."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from services.models import User
from services.registry.audit import audit_record, history_by, rows_save, save_audited, update_audited

from ..models import Retrofit, RetrofitItem, RetrofitLine, RetrofitPhoto
from ..photos import validate_photo
from .common import ADD_PHOTO, Errors, Status, add_error, is_retrofit_staff, item_errors, sees_case


def retrofit_edit_errors(*, retrofit: Retrofit, by: User, type: str, contractor: str) -> Errors:
    """Why a case's type or contractor cannot be changed to these values; empty when they can."""
    errors: Errors = {}
    if not (is_retrofit_staff(by) and sees_case(by, retrofit)):
        add_error(errors, NON_FIELD_ERRORS, _("You are not allowed to change this home retrofit."), "forbidden")
        return errors
    if type != retrofit.type:
        if not retrofit.lines_editable:
            add_error(errors, "type", _("The type cannot change after approval."), "locked")
        else:
            names = RetrofitItem.objects.filter(lines__retrofit=retrofit)
            names = (
                names.exclude(allowed_standard=True)
                if type == Retrofit.Type.STANDARD
                else names.exclude(allowed_basic=True)
            )
            for name in names.values_list("name", flat=True).order_by("name"):
                add_error(
                    errors,
                    "type",
                    _("“%(item)s” is not allowed in the %(type)s."),
                    "item_not_allowed",
                    item=name,
                    type=Retrofit.Type(type).label,
                )
    if contractor != retrofit.contractor and not retrofit.contractor_editable:
        add_error(errors, "contractor", _("The contractor cannot change once works have started."), "locked")
    return errors


@transaction.atomic
def retrofit_edit(*, retrofit: Retrofit, by: User, type: str, contractor: str, application_note: str) -> Retrofit:
    """Change a case's type, contractor or note. Raises ValidationError if a rule forbids it."""
    locked = Retrofit.objects.select_for_update().get(pk=retrofit.pk)
    contractor = contractor.strip()
    errors = retrofit_edit_errors(retrofit=locked, by=by, type=type, contractor=contractor)
    if errors:
        raise ValidationError(errors)
    update_audited(
        locked,
        {"type": type, "contractor": contractor, "application_note": application_note},
        by=by,
        code="accessibility.retrofit.edited",
    )
    return locked


@transaction.atomic
def retrofit_items_set(
    *, retrofit: Retrofit, by: User, items: Sequence[tuple[RetrofitItem, int, Decimal | None]]
) -> list[RetrofitLine]:
    """Replace the case's items with `items` (item, quantity, unit cost or None for the reference cost).

    Raises ValidationError if the user may not, the case is past assessment, or an item does not fit.
    """
    retrofit = Retrofit.objects.select_for_update().get(pk=retrofit.pk)
    problems: list[Any] = []
    if not (is_retrofit_staff(by) and sees_case(by, retrofit)):
        raise ValidationError(_("You are not allowed to change this home retrofit."), code="forbidden")
    if not retrofit.lines_editable:
        raise ValidationError(_("The items cannot change after approval."), code="locked")
    seen: set[int] = set()
    for item, quantity, unit_cost in items:
        problems += item_errors(item=item, retrofit_type=retrofit.type, quantity=quantity, unit_cost=unit_cost)
        if item.pk in seen:
            problems.append(_("“%(item)s” is listed twice.") % {"item": item.name})
        seen.add(item.pk)
    if problems:
        raise ValidationError([ValidationError(p, code="bad_item") for p in problems])
    for line in RetrofitLine.objects.filter(retrofit=retrofit):
        history_by(line, by)
        line.delete()
    lines = []
    for item, quantity, unit_cost in items:
        line = RetrofitLine(
            retrofit=retrofit,
            item=item,
            quantity=quantity,
            unit_cost=item.reference_cost if unit_cost is None else unit_cost,
        )
        history_by(line, by)
        line.save()
        lines.append(line)
    audit_record(
        obj=retrofit, code="accessibility.retrofit.items_set", by=by, data={"items": sorted(seen), "lines": len(lines)}
    )
    return lines


@transaction.atomic
def retrofit_lines_save(
    *, retrofit: Retrofit, by: User, saved: Sequence[RetrofitLine], deleted: Sequence[RetrofitLine]
) -> list[RetrofitLine]:
    """Save the case's new or changed item lines and delete the removed ones, as the case page edits them.

    A line without a unit cost takes the item's reference cost. Raises ValidationError if the user may
    not, the case is past assessment, or a saved line does not fit the case.
    """
    retrofit = Retrofit.objects.select_for_update().get(pk=retrofit.pk)
    if not (is_retrofit_staff(by) and sees_case(by, retrofit)):
        raise ValidationError(_("You are not allowed to change this home retrofit."), code="forbidden")
    if retrofit.status not in Retrofit.EDITABLE:
        raise ValidationError(_("The items cannot change after approval."), code="locked")
    if any(line.retrofit_id != retrofit.pk for line in [*saved, *deleted]):
        raise ValidationError(_("You are not allowed to change this home retrofit."), code="forbidden")
    problems: list[Any] = []
    for line in saved:
        if line.unit_cost is None:
            line.unit_cost = line.item.reference_cost
        problems += item_errors(
            item=line.item, retrofit_type=retrofit.type, quantity=line.quantity, unit_cost=line.unit_cost
        )
        if not line.item.active:
            problems.append(_("“%(item)s” is no longer offered.") % {"item": line.item.name})
    if problems:
        raise ValidationError([ValidationError(p, code="bad_item") for p in problems])
    rows_save(saved=saved, deleted=deleted, by=by)
    if saved or deleted:
        audit_record(
            obj=retrofit,
            code="accessibility.retrofit.items_changed",
            by=by,
            data={"saved": len(saved), "deleted": len(deleted)},
        )
    return list(saved)


# --- photos ---------------------------------------------------------------------------------------


def photo_errors(*, retrofit: Retrofit, stage: str) -> list[ValidationError]:
    """Why a photo of `stage` cannot be added to the case now; empty when it can."""
    if stage == RetrofitPhoto.Stage.AFTER and retrofit.status not in (Status.IN_WORKS, *Retrofit.DONE):
        return [ValidationError(_("Photos after the works can be added once works have started."), code="too_early")]
    if retrofit.status in (Status.REJECTED, Status.WITHDRAWN):
        return [ValidationError(_("This case is closed."), code="closed")]
    return []


@transaction.atomic
def retrofit_photo_add(*, retrofit: Retrofit, by: User, stage: str, image: Any, alt_text: str) -> RetrofitPhoto:
    """Store a before or after photo with its text alternative.

    Raises ValidationError if the user may not, the file is not a JPEG or PNG of at most 5 MB, or
    the text alternative is missing.
    """
    if not (by.is_authenticated and by.has_perm(ADD_PHOTO) and sees_case(by, retrofit)):
        raise ValidationError(_("You are not allowed to add photos to this home retrofit."), code="forbidden")
    errors: Errors = {}
    if stage not in RetrofitPhoto.Stage.values:
        add_error(errors, "stage", _("Choose before or after the works."), "invalid")
    else:
        for error in photo_errors(retrofit=retrofit, stage=stage):
            errors.setdefault("stage", []).append(error)
    if not alt_text.strip():
        add_error(errors, "alt_text", _("Describe what the photo shows."), "required")
    try:
        validate_photo(image)
    except ValidationError as exc:
        errors.setdefault("image", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    photo = RetrofitPhoto(retrofit=retrofit, stage=stage, image=image, alt_text=alt_text.strip(), uploaded_by=by)
    photo.full_clean()
    save_audited(
        photo, code="accessibility.retrofit_photo.added", by=by, data={"retrofit": retrofit.pk, "stage": stage}
    )
    return photo
