"""Forms of the registry and the field app; the rules live in services.validation and services.actions."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import mask_number, normalise_number
from .models import EscortBooking, EscortService, EscortSlot, FollowUp, HomeVisit, Person
from .selectors import escort_slots_open_for_booking
from .validation import phone_as_stored


class MaskedNumberInput(forms.TextInput):
    """Never renders the stored number; shows it masked as the placeholder instead."""

    def format_value(self, value: Any) -> None:
        return None


class PersonForm(forms.ModelForm):
    """Create or edit a person. On an existing record the numbers are masked: blank keeps them."""

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "certificate_number",
            "certificate_valid_until",
            "category",
            "grade",
            "multiple_categories",
            "street",
            "address",
            "phone",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
            "lives_alone",
            "status",
            "status_changed_on",
            "consent_basis",
            "consent_given_on",
            "notes",
        ]
        widgets = {"certificate_valid_until": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = self.instance.pk is not None
        if self.editing:
            for name in ("id_number", "certificate_number"):
                field = self.fields.get(name)
                if field is None:
                    continue
                current = getattr(self.instance, name)
                field.required = False
                field.widget = MaskedNumberInput(attrs={"placeholder": mask_number(current) if current else ""})
                field.help_text = _(
                    "Shown masked. Leave blank to keep the current number; type a new one to replace it."
                )

    def _number(self, name: str) -> str:
        value = normalise_number(self.cleaned_data.get(name))
        if self.editing and not value:
            return getattr(self.instance, name)
        return value

    def clean_id_number(self) -> str:
        return self._number("id_number")

    def clean_certificate_number(self) -> str:
        return self._number("certificate_number")

    # Normalised here; the rule itself is checked by Person.clean (services.validation.person_errors).
    def clean_phone(self) -> str:
        return phone_as_stored(self.cleaned_data.get("phone"))

    def clean_guardian_phone(self) -> str:
        return phone_as_stored(self.cleaned_data.get("guardian_phone"))


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


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot):
        local = timezone.localtime(slot.starts_at)
        return _("%(hospital)s, %(day)s %(time)s (%(left)d places left)") % {
            "hospital": slot.hospital,
            "day": f"{local:%Y-%m-%d}",
            "time": f"{local:%H:%M}",
            "left": slot.places_left,
        }


class EscortRequestForm(forms.Form):
    """A committee member asks for an escort for a person of their street."""

    slot = SlotChoiceField(label=_("Clinic session"), queryset=EscortSlot.objects.none(), widget=forms.RadioSelect)
    need = forms.ChoiceField(label=_("The patient is"), choices=EscortBooking.Need.choices, widget=forms.RadioSelect)
    services = forms.ModelMultipleChoiceField(
        label=_("Help needed"), queryset=EscortService.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    department = forms.CharField(label=_("Department"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = escort_slots_open_for_booking(now=timezone.now())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class VolunteerOutcomeForm(forms.Form):
    """What a volunteer records after (or instead of) an escort."""

    minutes = forms.IntegerField(label=_("Minutes spent"), min_value=1, max_value=600, required=False)
    reason = forms.CharField(label=_("Why you cannot go"), max_length=200, required=False)


class PersonMergeForm(forms.Form):
    """Which duplicate record goes into which, and why; the persons offered are those `user` sees."""

    kept = forms.ModelChoiceField(label=_("Record to keep"), queryset=Person.objects.none())
    other = forms.ModelChoiceField(label=_("Record to merge into it"), queryset=Person.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why these records are the same person; kept in the audit trail."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        persons = Person.objects.visible_to(user).select_related("street")
        self.fields["kept"].queryset = persons
        self.fields["other"].queryset = persons

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kept") is not None and data.get("kept") == data.get("other"):
            raise forms.ValidationError(_("A record cannot be merged into itself."), code="same_person")
        return data
