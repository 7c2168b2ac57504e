"""Forms of the registry: a person's record; the rules live in services.registry.validation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Person
from services.registry.identity import mask_number, normalise_number
from services.registry.validation import phone_as_stored


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

    # Normalised here; the rule itself is checked by Person.clean (services.registry.validation.person_errors).
    def clean_phone(self) -> str:
        return phone_as_stored(self.cleaned_data.get("phone"))

    def clean_guardian_phone(self) -> str:
        return phone_as_stored(self.cleaned_data.get("guardian_phone"))
