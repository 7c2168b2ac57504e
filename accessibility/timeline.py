"""The accessibility app's entries on a person's timeline: retrofit steps and devices issued."""

from django.utils.translation import gettext as _

from core.users import user_display
from services.models import Person
from services.registry.timeline import TimelineEntry, day_entry

from .models import DeviceIssue, RetrofitStatusChange


def person_entries(person: Person) -> list[TimelineEntry]:
    """Each step of the person's home retrofits, and each device issued or returned (two queries)."""
    entries = []
    steps = (
        RetrofitStatusChange.objects.filter(retrofit__person=person)
        .select_related("retrofit", "by")
        .order_by("on", "at", "pk")
    )
    for step in steps:
        entries.append(
            day_entry(
                step.on,  # the day the step took place (it may be recorded later): steps and visits sort together
                kind=_("Home retrofit"),
                title=f"#{step.retrofit_id} {step.retrofit.get_type_display()} · {step.get_new_display()} · "
                f"{user_display(step.by)}",
                detail=step.note,
                record=step.retrofit,
            )
        )
    for device in DeviceIssue.objects.filter(person=person).order_by("issued_on", "pk"):
        entries.append(
            day_entry(
                device.issued_on,
                kind=_("Assistive device"),
                title=_("%(device)s issued") % {"device": device.get_device_type_display()},
                detail=device.serial_number,
                record=device,
            )
        )
        if device.returned_on:
            entries.append(
                day_entry(
                    device.returned_on,
                    kind=_("Assistive device"),
                    title=_("%(device)s returned") % {"device": device.get_device_type_display()},
                    detail=device.serial_number,
                    record=device,
                )
            )
    return entries
