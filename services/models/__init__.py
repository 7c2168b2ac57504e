"""The services app's models, one module per part; import them from here."""

from .registry import AccessLog, AuditEntry, ImmutableModel, Person, Street, StreetAssignment, TimeStampedModel, User
from .visits import DigestSent, FollowUp, HomeVisit

__all__ = [
    "AccessLog",
    "AuditEntry",
    "DigestSent",
    "FollowUp",
    "HomeVisit",
    "ImmutableModel",
    "Person",
    "Street",
    "StreetAssignment",
    "TimeStampedModel",
    "User",
]
