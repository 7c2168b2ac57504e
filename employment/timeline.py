"""Entries of the person timeline: courses, certificates and jobs (registered in EmploymentConfig.ready)."""

from django.utils.translation import gettext as _

from services.models import Person
from services.registry.timeline import TimelineEntry, day_entry

from .models import Enrollment, Placement


def employment_entries(person: Person) -> list[TimelineEntry]:
    """A person's enrolments, the certificates they earned, and the jobs they started and left (two queries)."""
    entries: list[TimelineEntry] = []
    for enrollment in Enrollment.objects.filter(person=person).select_related("course"):
        course = enrollment.course
        entries.append(
            day_entry(
                course.starts_on,
                kind=_("Skills training"),
                title=f"{course.title} · {course.trade}",
                detail=f"{course.starts_on} – {course.ends_on} · {enrollment.get_status_display()}",
                record=enrollment,
            )
        )
        if enrollment.has_certificate:
            entries.append(
                day_entry(
                    enrollment.certificate_issued_on,
                    kind=_("Certificate"),
                    title=f"{course.trade} · {enrollment.get_certificate_level_display()}",
                    detail=" · ".join(filter(None, [enrollment.certificate_issuer, enrollment.certificate_number])),
                    record=enrollment,
                )
            )
    for placement in Placement.objects.filter(person=person).select_related("employer"):
        how = _("on the federation's recommendation") if placement.recommended else _("found independently")
        entries.append(
            day_entry(
                placement.started_on,
                kind=_("Job"),
                title=f"{placement.employer.name} · {placement.job_title}",
                detail=f"{placement.get_contract_type_display()} · {how}",
                record=placement,
            )
        )
        if placement.ended_on:
            entries.append(
                day_entry(
                    placement.ended_on,
                    kind=_("Job ended"),
                    title=f"{placement.employer.name} · {placement.job_title}",
                    detail=placement.get_end_reason_display(),
                    record=placement,
                )
            )
    return entries
