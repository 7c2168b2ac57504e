"""Correcting an accepted home retrofit: its type entered wrongly, or the whole case entered in error."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Correction, User
from services.registry import corrections
from services.registry.audit import history_by

from ..models import Retrofit, RetrofitStatusChange
from .common import Status


@transaction.atomic
def retrofit_correct(*, retrofit: Retrofit, by: User, reason: str, type: str = "", void: bool = False) -> Retrofit:
    """Correct an accepted case: give it the retrofit `type` it really had, or (`void`) void it as entered in error.

    Exactly one of `type` and `void`. A voided case leaves the figures; a new type moves the case between the
    figures' types. The correction, with what it moved in the figures of the year of acceptance, is recorded
    (services.corrections) and audited as accessibility.retrofit.corrected.
    Raises ValidationError if `by` may not correct closed records, gives no reason, the case is not accepted,
    or the type is unknown or already the case's; PermissionDenied if `by` does not see the case.
    """
    reason = corrections.correction_check(by=by, reason=reason)
    if not Retrofit.objects.visible_to(by).filter(pk=retrofit.pk).exists():
        raise PermissionDenied
    if bool(type) == bool(void):
        raise ValueError("retrofit_correct takes a new type or void, not both or neither")
    retrofit = Retrofit.objects.select_for_update(of=("self",)).select_related("person").get(pk=retrofit.pk)
    if retrofit.status not in Retrofit.DONE:
        raise ValidationError(
            _("Only an accepted case can be corrected; an open case is changed through its steps."), code="not_closed"
        )
    if type and type not in Retrofit.Type.values:
        raise ValidationError(
            {"type": ValidationError(_("Choose the standard or the basic type."), code="invalid_type")}
        )
    if type == retrofit.type:
        raise ValidationError(
            {
                "type": ValidationError(
                    _("The case is already of the %(type)s."),
                    code="same_type",
                    params={"type": retrofit.get_type_display()},
                )
            }
        )
    assert retrofit.accepted_on is not None  # an accepted case has its date (retrofit_acceptance_signed)
    year = retrofit.accepted_on.year
    before = corrections.figures_of(Retrofit, year)
    kind: str
    old: str
    new: str
    if void:
        kind, old, new = Correction.Kind.VOIDED, retrofit.status, Status.VOIDED
        retrofit.status = Status.VOIDED
        retrofit.closed_on, retrofit.closing_reason = timezone.localdate(), reason
        changed = ["status", "closed_on", "closing_reason", "updated_at"]
    else:
        kind, old, new = Correction.Kind.TYPE_CHANGED, retrofit.type, type
        retrofit.type = type
        changed = ["type", "updated_at"]
    history_by(retrofit, by)
    retrofit.save(update_fields=changed)
    if void:
        RetrofitStatusChange.objects.create(
            retrofit=retrofit, old=old, new=new, on=timezone.localdate(), by=by, note=reason
        )
    corrections.correction_record(
        obj=retrofit,
        person=retrofit.person,
        kind=kind,
        old=old,
        new=new,
        year=year,
        reason=reason,
        by=by,
        before=before,
        code="accessibility.retrofit.corrected",
    )
    return retrofit
