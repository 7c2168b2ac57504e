"""Forms: the public event filter and registration, the field registration, and the admin's photo and award forms."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.forms import AccessibleFormMixin
from services.models import Person, User
from services.registry.validation import validate_phone

from .actions import registration_problem
from .models import NEEDS, PROVISIONS, Award, Event, EventPhoto, Registration
from .validators import validate_alt_text, validate_photo_file

MONTHS_AHEAD = 12


def upcoming_month_values(today: datetime.date) -> list[tuple[str, datetime.date]]:
    """This month and the next eleven, as ("2026-12", 1 December 2026)."""
    months = []
    year, month = today.year, today.month
    for _i in range(MONTHS_AHEAD):
        months.append((f"{year:04d}-{month:02d}", datetime.date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def upcoming_months(today: datetime.date) -> list[tuple[str, str]]:
    """This month and the next eleven, as ("2026-12", "December 2026") choices."""
    return [(value, date_format(first, "YEAR_MONTH_FORMAT")) for value, first in upcoming_month_values(today)]


class EventFilterForm(AccessibleFormMixin, forms.Form):
    """The filters of /events/: all optional; an unknown value is refused, not silently ignored."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    month = forms.ChoiceField(label=_("Month"), required=False)
    provision = forms.MultipleChoiceField(
        label=_("Accessibility provisions"),
        required=False,
        choices=PROVISIONS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Show only events that offer all the provisions ticked."),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *Event.Category.choices]
        self.fields["month"].choices = [("", _("Any month")), *upcoming_months(today)]

    def clean_month(self) -> datetime.date | None:
        value = self.cleaned_data.get("month")
        return datetime.date.fromisoformat(f"{value}-01") if value else None


class PublicRegistrationForm(AccessibleFormMixin, forms.Form):
    """A member of the public registers: name, phone, what they need to take part, and consent."""

    name = forms.CharField(label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        help_text=_("A mobile (11 digits) or landline number. We call or text you only about this event."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    needs = forms.MultipleChoiceField(
        label=_("What do you need to take part?"),
        required=False,
        choices=[(name, label) for name, label in NEEDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that apply. Leave empty if you need nothing."),
    )
    needs_other = forms.CharField(
        label=_("Anything else we should arrange"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the federation keeps my name, phone number and needs to organise this event, "
            "and deletes them within three months after it."
        ),
        error_messages={"required": _("Agree to how we use your details, or ask us by phone instead.")},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter your name."), code="required")
        return name

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "needs_other": data["needs_other"],
            "consent": data["consent"],
            **{name: name in data["needs"] for name, _label in NEEDS},
        }


class ResendLinkForm(AccessibleFormMixin, forms.Form):
    """Someone who lost their private link asks for it again, by the phone number they registered with."""

    phone = forms.CharField(
        label=_("The phone number you registered with"),
        max_length=30,
        help_text=_("A mobile (11 digits) or landline number."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Enter the phone number you registered with.")},
    )

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])


class FieldRegistrationForm(AccessibleFormMixin, forms.Form):
    """A committee member registers a person of their streets."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    needs = forms.MultipleChoiceField(
        label=_("Needs"),
        required=False,
        choices=[(name, label) for name, label in NEEDS],
        widget=forms.CheckboxSelectMultiple,
    )
    needs_other = forms.CharField(label=_("Other needs"), required=False, max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.visible_to(user).filter(status=Person.Status.ACTIVE).order_by("name", "id")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.name} ({p.masked_id_number})"

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "person": data["person"],
            "needs_other": data["needs_other"],
            **{name: name in data["needs"] for name, _label in NEEDS},
        }


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "title_en",
            "slug",
            "category",
            "summary",
            "summary_en",
            "description",
            "easy_read_text",
            "starts_at",
            "ends_at",
            "venue",
            "venue_en",
            "address",
            "organiser",
            "performers",
            *(name for name, _label in PROVISIONS),
            "sign_language_video_url",
            "capacity",
            "takes_registrations",
            "registration_deadline",
            "is_published",
        ]

    sign_language_video_url = forms.URLField(
        label=Event._meta.get_field("sign_language_video_url").verbose_name,
        required=False,
        assume_scheme="https",
        validators=Event._meta.get_field("sign_language_video_url").validators,
        help_text=Event._meta.get_field("sign_language_video_url").help_text,
    )


class EventPhotoForm(forms.ModelForm):
    """A photo is refused without a text alternative, or with a file name for one."""

    class Meta:
        model = EventPhoto
        fields = ["image", "alt_text", "caption", "position"]

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image is not None and hasattr(image, "image"):
            validate_photo_file(image)
        return image

    def clean_alt_text(self) -> str:
        return validate_alt_text(self.cleaned_data.get("alt_text", ""))


class RegistrationAddForm(forms.ModelForm):
    """Staff enter a registry person, or a member of the public who phoned in (name and phone).

    The form checks the action's rules (events.actions.registration_problem), so a closed event, a
    duplicate or a person of another street shows as a form error; the admin then registers through
    events.actions.registration_create, which checks them again under the event's lock.
    """

    user: User | None = None  # set by RegistrationAdmin.get_form

    class Meta:
        model = Registration
        fields = ["event", "person", "name", "phone", *(name for name, _label in NEEDS), "needs_other"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        person, name, phone = cleaned.get("person"), cleaned.get("name", ""), cleaned.get("phone", "")
        if person is not None and (name or phone):
            raise ValidationError(
                _("Choose a registry person, or enter a name and phone: not both."), code="person_and_public"
            )
        if person is None and not (name and phone):
            raise ValidationError(
                _("Choose a registry person, or enter the name and phone of a member of the public."),
                code="nobody",
            )
        if cleaned.get("event") is not None:
            # The action checks again under its lock; here its refusal shows on the form, input kept.
            problem = registration_problem(
                event=cleaned["event"],
                by=self.user,
                person=person,
                name=name,
                phone=phone,
                consent=True,  # staff taking a registration by phone ask for consent on the call
                needs_other=cleaned.get("needs_other", ""),
            )
            if problem is not None:
                raise problem
        return cleaned


class AwardAdminForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["competition", "event", "awarded_on", "kind", "team_name", "person", "place"]
