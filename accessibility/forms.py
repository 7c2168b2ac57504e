"""Forms of the accessibility app; the rules they show live in accessibility.actions."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELDS, VersionFieldsMixin
from core.forms import AccessibleFormMixin, add_action_errors, fields_only_helper
from services.models import Street, User

from . import actions
from .models import DeviceIssue, Retrofit, RetrofitLine, RetrofitPhoto
from .selectors import PlaceKind

Status = Retrofit.Status

NOTE_LABELS = {
    Status.ASSESSED: _("What the home assessment found"),
    Status.REJECTED: _("Reason for rejection"),
    Status.WITHDRAWN: _("Reason for withdrawal"),
    Status.FOLLOWED_UP: _("How the household uses the works"),
}
DATE_LABELS = {
    Status.ASSESSED: _("Date of the home assessment"),
    Status.APPROVED: _("Date of approval"),
    Status.IN_WORKS: _("Date works started"),
    Status.ACCEPTED: _("Date of the joint acceptance"),
    Status.FOLLOWED_UP: _("Date of the check on use"),
    Status.REJECTED: _("Date of rejection"),
    Status.WITHDRAWN: _("Date of withdrawal"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TransitionForm(VersionFieldsMixin):
    """The data one step needs: its date, a note, and for some steps a cap exception or sign-offs.

    In bulk (several cases at once) the household sign-off may be left empty: each applicant's name is used.
    For one case the form carries the version of the case it showed, so a step taken from a stale
    page is refused (core.concurrency).
    """

    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=actions.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, to: str, bulk: bool = False, retrofit: Retrofit | None = None, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.to, self.bulk = to, bulk
        if bulk or retrofit is None:
            for name in VERSION_FIELDS:
                del self.fields[name]
        elif not self.is_bound:
            self.show_version_of(retrofit)
        self.fields["on"].label = DATE_LABELS.get(to, _("Date"))
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if to in NOTE_LABELS:
            self.fields["note"].label = NOTE_LABELS[to]
            self.fields["note"].required = True
        if to == Status.APPROVED:
            self.fields["cap_exception_reason"] = forms.CharField(
                label=_("Reason for exceeding the cost cap"),
                required=False,
                max_length=actions.MAX_NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Only when the cost is above the type's cap; needs the right to approve exceptions."),
            )
        if to == Status.ACCEPTED:
            self.fields["household_signatory"] = forms.CharField(
                label=_("Signed off for the household by"),
                max_length=50,
                required=not bulk,
                initial=retrofit.person.name if retrofit is not None else "",
                help_text=_("Leave empty when each applicant signed themselves.") if bulk else "",
            )
            self.fields["contractor_signatory"] = forms.CharField(
                label=_("Signed off for the contractor by"), max_length=50
            )

    def asks(self) -> list[Any]:
        """The labels of what the step's page asks for (its required fields), to list before the step."""
        return [field.label for field in self.visible_fields() if field.field.required]

    def action_kwargs(self, retrofit: Retrofit) -> dict[str, Any]:
        """The keyword arguments of retrofit_advance for one case."""
        data = dict(self.cleaned_data)
        if self.to == Status.ACCEPTED and not data.get("household_signatory"):
            data["household_signatory"] = retrofit.person.name
        return data


HOUSEHOLD_HELP = _(
    "The case is for this person's household: the home at their address in the registry. A home is "
    "retrofitted once, whichever member applies."
)


class RetrofitAddForm(forms.ModelForm):
    """Staff file an application in the admin; the rules are in actions.retrofit_apply_errors."""

    class Meta:
        model = Retrofit
        fields = ["person", "type", "applied_on", "application_note"]
        widgets = {"applied_on": DateInput()}

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["applied_on"].initial = timezone.localdate()
        self.fields["person"].help_text = HOUSEHOLD_HELP

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("person") and data.get("type") and data.get("applied_on"):
            errors = actions.retrofit_apply_errors(
                person=data["person"],
                by=self.user,
                type=data["type"],
                note=data.get("application_note", ""),
                from_follow_up=None,
                applied_on=data["applied_on"],
                today=timezone.localdate(),
            )
            if errors:
                errors["application_note"] = errors.pop("note", [])
                add_action_errors(self, ValidationError({k: v for k, v in errors.items() if v}))
        return data


class RetrofitChangeForm(forms.ModelForm):
    """Staff change the type, contractor or note of a case; actions.retrofit_edit_errors decides what may change."""

    class Meta:
        model = Retrofit
        fields = ["type", "contractor", "application_note"]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        original = Retrofit.objects.get(pk=self.instance.pk)
        errors = actions.retrofit_edit_errors(
            retrofit=original,
            by=self.user,
            type=data.get("type", original.type),
            contractor=(data.get("contractor", original.contractor) or "").strip(),
        )
        if errors:
            add_action_errors(self, ValidationError(errors))
        return data


class RetrofitLineForm(forms.ModelForm):
    class Meta:
        model = RetrofitLine
        fields = ["item", "quantity", "unit_cost"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_cost"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        item = data.get("item")
        if item is not None and data.get("unit_cost") is None:
            data["unit_cost"] = item.reference_cost
            self.instance.unit_cost = item.reference_cost
        return data


class RetrofitLineFormSet(forms.BaseInlineFormSet):
    """Every line must fit the case's type; new and changed lines must use items still offered."""

    def clean(self) -> None:
        super().clean()
        retrofit_type = self.instance.type
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            item = form.cleaned_data.get("item")
            if item is None:
                continue
            problems = actions.item_errors(
                item=item,
                retrofit_type=retrofit_type,
                quantity=form.cleaned_data.get("quantity"),
                unit_cost=form.cleaned_data.get("unit_cost"),
            )
            for problem in problems:
                form.add_error("item", problem)


class PhotoForm(forms.Form):
    """A before or after photo with its text alternative; checked again by actions.retrofit_photo_add."""

    stage = forms.ChoiceField(label=_("Stage"), choices=RetrofitPhoto.Stage.choices, widget=forms.RadioSelect)
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG or PNG photo of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    alt_text = forms.CharField(
        label=_("Text alternative"),
        max_length=250,
        help_text=RetrofitPhoto._meta.get_field("alt_text").help_text,
    )


class ApplyForm(forms.Form):
    """A committee member applies for a household's retrofit from a phone."""

    type = forms.ChoiceField(label=_("Retrofit type"), choices=Retrofit.Type.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What the household needs"),
        required=False,
        max_length=actions.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: cannot step into the shower; door too narrow for the wheelchair. No diagnoses."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = fields_only_helper()


class WithdrawForm(VersionFieldsMixin):
    """A committee member withdraws an application; the form carries the version of the case it showed."""

    note = forms.CharField(
        label=_("Reason for withdrawal"), max_length=actions.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, retrofit: Retrofit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.show_version_of(retrofit)
        self.helper = fields_only_helper()


class DeviceIssueForm(forms.ModelForm):
    class Meta:
        model = DeviceIssue
        fields = ["person", "device_type", "serial_number", "issued_on", "returned_on", "note"]
        widgets = {"issued_on": DateInput(), "returned_on": DateInput()}


class PlaceFilterForm(AccessibleFormMixin, forms.Form):
    """The filters of the public directory of accessible places: both optional; an unknown value is refused with a
    message, never guessed at."""

    # The messages do not repeat the value: it may be anything, of any length.
    street = forms.ChoiceField(
        label=_("Street"),
        required=False,
        error_messages={"invalid_choice": _("This is not one of Jing'an's streets. Choose one from the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of place"),
        required=False,
        error_messages={"invalid_choice": _("The directory has no such kind of place. Choose one from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        streets = [(street.code, street.name) for street in Street.objects.order_by("code")]
        self.fields["street"].choices = [("", _("All streets")), *streets]
        self.fields["kind"].choices = [("", _("All kinds of place")), *PlaceKind.choices]
