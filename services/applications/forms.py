"""Forms of online applications: the public form, the code, withdrawing; the field app's assign and visit date."""

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import AccessibleFormMixin
from services.models import Application, EscortSlot
from services.registry.identity import CERTIFICATE_LENGTH, normalise_number, validate_id_number


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EscortSlot) -> str:
        start = timezone.localtime(obj.starts_at)
        return f"{obj.hospital} · {date_format(start, 'DATE_FORMAT')} {start:%H:%M}"


class ApplicationStartForm(AccessibleFormMixin, forms.Form):
    """What a resident (or someone for them) asks for, and the numbers that check who they are."""

    service = forms.ChoiceField(
        label=_("What do you need?"),
        choices=Application.Service.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the service you need."),
            "invalid_choice": _("Choose one of the services."),
        },
    )
    escort_slot = SessionChoiceField(
        label=_("Clinic session (for an escort to hospital)"),
        queryset=EscortSlot.objects.none(),
        required=False,
        empty_label=_("Choose a session"),
        help_text=_("Only for an escort: the hospital and time you want a volunteer to come with you."),
        error_messages={"invalid_choice": _("This session is no longer open: choose another one.")},
    )
    applicant = forms.ChoiceField(
        label=_("Who is filling in this form?"),
        choices=Application.Applicant.choices,
        initial=Application.Applicant.SELF,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say who is filling in this form."),
            "invalid_choice": _("Choose one of the answers."),
        },
    )
    applicant_name = forms.CharField(
        label=_("Your name (if you apply for someone else)"),
        max_length=50,
        required=False,
        help_text=_("Write your own name when you are a family member or the guardian."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number of the person who needs the service"),
        max_length=30,
        help_text=_("18 characters, as on the resident ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the ID number of the person who needs the service.")},
    )
    certificate_number = forms.CharField(
        label=_("Disability certificate number"),
        max_length=30,
        help_text=_("20 characters: the ID number followed by two digits, as on the certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the disability certificate number.")},
    )
    contact = forms.ChoiceField(
        label=_("Where should we send the code?"),
        choices=Application.Contact.choices,
        initial=Application.Contact.PERSON,
        widget=forms.RadioSelect,
        help_text=_("We send a 6-digit code to the phone number the federation has on file."),
        error_messages={
            "required": _("Choose where to send the code."),
            "invalid_choice": _("Choose one of the answers."),
        },
    )
    note = forms.CharField(
        label=_("Anything we should know"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the best time to call, or that you need a sign-language interpreter."),
    )

    def __init__(self, *args: Any, sessions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["escort_slot"].queryset = sessions

    def clean_id_number(self) -> str:
        number = normalise_number(self.cleaned_data["id_number"])
        validate_id_number(number)
        return number

    def clean_certificate_number(self) -> str:
        number = normalise_number(self.cleaned_data["certificate_number"])
        if len(number) != CERTIFICATE_LENGTH or not number[:17].isdigit() or not number[18:].isdigit():
            raise ValidationError(
                _("A disability certificate number has 20 characters: the ID number, then two digits."),
                code="certificate_shape",
            )
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        id_number, certificate = data.get("id_number"), data.get("certificate_number")
        if id_number and certificate and not certificate.startswith(id_number):
            self.add_error(
                "certificate_number",
                ValidationError(
                    _("The certificate number starts with the ID number: check both for a mistyped digit."),
                    code="certificate_id",
                ),
            )
        escort = data.get("service") == Application.Service.ESCORT
        if escort and not data.get("escort_slot") and "escort_slot" not in self.errors:
            self.add_error(
                "escort_slot",
                ValidationError(_("Choose the clinic session you want an escort for."), code="required"),
            )
        for_someone_else = data.get("applicant") in (Application.Applicant.FAMILY, Application.Applicant.GUARDIAN)
        if for_someone_else and not (data.get("applicant_name") or "").strip():
            self.add_error(
                "applicant_name",
                ValidationError(_("Write your name: you are applying for someone else."), code="required"),
            )
        return data


class ApplicationCodeForm(AccessibleFormMixin, forms.Form):
    """The 6-digit code from the message."""

    code = forms.RegexField(
        label=_("The 6-digit code from the message"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the 6-digit code from the message."),
            "invalid": _("The code is 6 digits, for example 123456."),
        },
    )

    def clean_code(self) -> str:
        # \d also takes other scripts' digits, such as the full-width ones a Chinese input method types: as ASCII.
        return "".join(str(unicodedata.digit(char)) for char in self.cleaned_data["code"].strip())


class ApplicationAssignForm(forms.Form):
    """A committee member takes the application."""


class ApplicationVisitForm(AccessibleFormMixin, forms.Form):
    """The day of the home visit."""

    visit_on = forms.DateField(
        label=_("Visit on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Choose the day of the visit."),
            "invalid": _("Enter a date such as 2027-01-15."),
        },
    )


class ApplicationRefuseForm(forms.Form):
    """Staff refuse an application with its reason (admin)."""

    reason = forms.CharField(label=_("Reason (told to the applicant)"), max_length=1000, widget=forms.Textarea)
