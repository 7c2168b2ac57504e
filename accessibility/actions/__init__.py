"""Writes of the accessibility app: every retrofit step goes through here, with its rules and audit entry.

Who may do what:
- federation staff (accessibility.advance_retrofit) perform every step of every case they can see;
  recording a cap exception also needs accessibility.approve_over_cap;
- committee members (accessibility.apply_retrofit) apply for a person of their streets and withdraw
  their streets' cases that are still at "applied";
- anyone else nothing.
A refused step raises ValidationError with a code and changes nothing.
"""

from .common import ADD_PHOTO, ADVANCE, APPLY, MAX_NOTE, OVER_CAP, Errors, item_errors, line_total
from .corrections import retrofit_correct
from .devices import device_issue_save
from .editing import (
    photo_errors,
    retrofit_edit,
    retrofit_edit_errors,
    retrofit_items_set,
    retrofit_lines_save,
    retrofit_photo_add,
)
from .workflow import (
    StepNeed,
    follow_up_due_on,
    retrofit_advance,
    retrofit_advance_errors,
    retrofit_apply,
    retrofit_apply_errors,
    retrofit_step_needs,
)

__all__ = [
    "ADD_PHOTO",
    "ADVANCE",
    "APPLY",
    "MAX_NOTE",
    "OVER_CAP",
    "Errors",
    "StepNeed",
    "device_issue_save",
    "follow_up_due_on",
    "item_errors",
    "line_total",
    "photo_errors",
    "retrofit_advance",
    "retrofit_advance_errors",
    "retrofit_apply",
    "retrofit_apply_errors",
    "retrofit_correct",
    "retrofit_edit",
    "retrofit_edit_errors",
    "retrofit_items_set",
    "retrofit_lines_save",
    "retrofit_photo_add",
    "retrofit_step_needs",
]
