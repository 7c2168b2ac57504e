"""The services app's models, one module per part; import them from here."""

from .applications import Application, ApplicationChallenge, ApplicationStatusChange
from .corrections import Correction
from .escorts import (
    ClinicHours,
    EscortBooking,
    EscortService,
    EscortSlot,
    EscortStatusChange,
    Hospital,
    Reminder,
    TeamService,
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
    category_when_served,
)
from .rehab import FamilyDoctorContract, HomeRehabSession, RehabCentre, RehabReferral
from .visits import DigestSent, FollowUp, HomeVisit

__all__ = [
    "AccessLog",
    "Application",
    "ApplicationChallenge",
    "ApplicationStatusChange",
    "AuditEntry",
    "ClinicHours",
    "Correction",
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
    "TeamService",
    "TimeStampedModel",
    "User",
    "Volunteer",
    "VolunteerDecline",
    "VolunteerTeam",
    "category_when_served",
]
