"""Forms of the field app's home visits."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
