"""The services app's models, one module per part; import them from here."""

from .escorts import (
    ClinicHours,
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    Hospital,
    Reminder,
    Volunteer,
    VolunteerDecline,
    VolunteerTeam,
)
from .registry import (
    AccessLog,
    AuditEntry,
    Household,
    ImmutableModel,
    Person,
    Street,
    StreetAssignment,
    TimeStampedModel,
    User,
)
from .rehab import FamilyDoctorContract, HomeRehabSession, RehabCentre, RehabReferral
from .visits import DigestSent, FollowUp, HomeVisit

__all__ = [
    "AccessLog",
    "AuditEntry",
    "ClinicHours",
    "DigestSent",
    "EscortBooking",
    "EscortService",
    "EscortSlot",
    "EscortStatusChange",
    "FamilyDoctorContract",
    "FollowUp",
    "HomeRehabSession",
    "HomeVisit",
    "Hospital",
    "Household",
    "ImmutableModel",
    "Person",
    "RehabCentre",
    "RehabReferral",
    "Reminder",
    "Street",
    "StreetAssignment",
    "TimeStampedModel",
    "User",
    "Volunteer",
    "VolunteerDecline",
    "VolunteerTeam",
]
