"""Rehabilitation reads: public homes, a person's running contract, panel and timeline entries."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext

from services.models import FamilyDoctorContract, HomeRehabSession, Person, RehabCentre, RehabReferral
from services.registry.timeline import TimelineEntry, day_entry


def rehab_homes_public() -> QuerySet[RehabCentre]:
    """The centres certified as rehabilitation homes today, for the public page (no personal data)."""
    return RehabCentre.objects.certified_now().select_related("street").order_by("street__code", "name")


def running_contract(person: Person) -> FamilyDoctorContract | None:
    """The person's family-doctor contract without an end date, if any."""
    return FamilyDoctorContract.objects.filter(person=person, ended_on__isnull=True).select_related("centre").first()


def referral_centre_for(person: Person, contract: FamilyDoctorContract | None) -> RehabCentre | None:
    """The centre a referral goes to by default: the contract's, else a certified centre of the person's street."""
    if contract is not None:
        return contract.centre
    centres = RehabCentre.objects.filter(street_id=person.street_id).exclude(
        certification=RehabCentre.Certification.REVOKED
    )
    return centres.filter(certification=RehabCentre.Certification.CERTIFIED).order_by("name").first() or (
        centres.order_by("name").first()
    )


def person_rehab_panel(person: Person) -> dict[str, Any]:
    """What the field person page shows about rehabilitation: the contract, recent sessions and referrals."""
    return {
        "contract": running_contract(person),
        "sessions": list(
            HomeRehabSession.objects.filter(person=person).select_related("centre").order_by("-given_on", "-id")[:5]
        ),
        "referrals": list(RehabReferral.objects.filter(person=person).select_related("centre").order_by("-id")[:5]),
    }


def _session_detail(session: HomeRehabSession) -> str:
    # ngettext outside an f-string: makemessages cannot find a call inside one.
    minutes = ngettext("%(n)d minute", "%(n)d minutes", session.minutes) % {"n": session.minutes}
    return f"{minutes} · {session.given_by}"


def timeline_entries(person: Person) -> list[TimelineEntry]:
    """The person's family-doctor contracts, home sessions and referrals for the full record (three queries)."""
    entries = [
        day_entry(
            c.signed_on,
            kind=gettext("Family doctor"),
            title=f"{c.centre.name} · {c.doctor}",
            detail=f"{c.signed_on} – {c.ended_on or ''}",
            record=c,
        )
        for c in FamilyDoctorContract.objects.filter(person=person).select_related("centre")
    ]
    entries += [
        day_entry(
            s.given_on,
            kind=gettext("Home rehabilitation"),
            title=f"{s.get_kind_display()} · {s.centre.name}",
            detail=_session_detail(s),
            record=s,
        )
        for s in HomeRehabSession.objects.filter(person=person).select_related("centre")
    ]
    entries += [
        TimelineEntry(
            when=r.created_at,
            kind=gettext("Rehabilitation referral"),
            title=f"{r.centre.name} · {r.get_status_display()}",
            detail=r.note,
            record=r,
        )
        for r in RehabReferral.objects.filter(person=person).select_related("centre")
    ]
    return entries
