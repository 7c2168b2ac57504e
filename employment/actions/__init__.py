"""Writes of the employment app: each checks its rules under a row lock and leaves an audit entry.

Rule functions (`*_errors`) return the errors by field without writing, so forms show the same reasons.
"""

from .base import add_months
from .placements import (
    FOLLOW_UP_EARLY_DAYS,
    FOLLOW_UP_MONTHS,
    employer_save,
    follow_up_errors,
    graduate_register,
    graduate_update,
    graduate_years,
    placement_create,
    placement_end,
    placement_end_errors,
    placement_errors,
    placement_follow_up_record,
    placement_follow_ups_record,
)
from .referrals import REFERRAL_NEED, referral_close, referral_create, referral_errors
from .training import (
    certificate_errors,
    certificate_record,
    course_errors,
    course_save,
    enrollment_complete,
    enrollment_create,
    enrollment_drop,
    enrollment_errors,
    seats_taken,
)

__all__ = [
    "FOLLOW_UP_EARLY_DAYS",
    "FOLLOW_UP_MONTHS",
    "REFERRAL_NEED",
    "add_months",
    "certificate_errors",
    "certificate_record",
    "course_errors",
    "course_save",
    "employer_save",
    "enrollment_complete",
    "enrollment_create",
    "enrollment_drop",
    "enrollment_errors",
    "follow_up_errors",
    "graduate_register",
    "graduate_update",
    "graduate_years",
    "placement_create",
    "placement_end",
    "placement_end_errors",
    "placement_errors",
    "placement_follow_up_record",
    "placement_follow_ups_record",
    "referral_close",
    "referral_create",
    "referral_errors",
    "seats_taken",
]
