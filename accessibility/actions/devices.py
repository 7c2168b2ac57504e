"""Recording assistive devices issued to persons."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from services.models import User
from services.registry.audit import audit_record, history_by

from ..models import DeviceIssue


@transaction.atomic
def device_issue_save(*, device: DeviceIssue, by: User) -> DeviceIssue:
    """Record or update a device issued to a person; the street is the person's.

    Raises ValidationError if the record breaks a rule (such as a second unreturned device of a type).
    """
    creating = device._state.adding
    if creating:
        device.street_id = device.person.street_id
    device.full_clean()
    history_by(device, by)
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise ValidationError(
            _("This person already has an unreturned device of this type, or the serial number is taken."),
            code="duplicate",
        ) from None
    audit_record(
        obj=device,
        code="accessibility.device.issued" if creating else "accessibility.device.updated",
        by=by,
        data={"device_type": device.device_type},
    )
    return device
