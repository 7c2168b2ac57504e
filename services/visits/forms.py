"""Forms of the field app's home visits."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import fields_only_helper
from services.models import FollowUp, HomeVisit


class HomeVisitForm(forms.Form):
    """Filing a home visit from a phone; the rules are in actions.home_visit_errors."""

    visited_on = forms.DateField(
        label=_("Date of visit"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    mode = forms.ChoiceField(label=_("How"), choices=HomeVisit.Mode.choices, widget=forms.RadioSelect)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=HomeVisit.Purpose.choices)
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw and heard. No ID numbers or diagnoses here."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs found"),
        required=False,
        choices=FollowUp.Need.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each need becomes a follow-up for federation staff."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ineligible: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        # A need is still recorded as found, but its label says the person may not have the service (the reason
        # is above the form), so nobody expects a booking to follow.
        self.fields["needs"].choices = [
            (value, _("%(need)s (not eligible)") % {"need": label} if value in ineligible else label)
            for value, label in FollowUp.Need.choices
        ]
        self.helper = fields_only_helper()


class FollowUpCloseIneligibleForm(forms.Form):
    """Closing a need the person may not have: the rule's reason goes in the outcome; the member may add to it."""

    note = forms.CharField(
        label=_("What you told the person or did instead (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No ID numbers or diagnoses here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only_helper()
