"""Form helpers every app shares: showing an action's ValidationError on the form that called it, the public
forms' accessible inputs, and the crispy helper of a form whose page holds the form tag."""

from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError


def add_action_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has it, else on top.

    Takes both shapes an action raises: a dict of field errors, or a message (list) for the whole form.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


# The mixin is used with forms.Form (and reads its fields): typed as one, a plain object at run time.
if TYPE_CHECKING:
    _FormBase = forms.Form
else:
    _FormBase = object


def require_text(form: forms.Form, cleaned: dict[str, Any], *, when: str, field: str, message: Any) -> None:
    """Add `message` to `field` when the box `when` is ticked and `field` is blank (or only spaces)."""
    if cleaned.get(when) and not (cleaned.get(field) or "").strip():
        form.add_error(field, message)


class AccessibleFormMixin(_FormBase):
    """Bootstrap classes, and each input described by its help text and, when invalid, by its error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.help_text and not isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field, auto_id = self.fields[name], self[name].auto_id
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue  # the fieldset around the boxes carries the description
            field.widget.attrs["aria-invalid"] = "true"
            described = [f"{auto_id}_error"] + ([f"{auto_id}_help"] if field.help_text else [])
            field.widget.attrs["aria-describedby"] = " ".join(described)


def fields_only_helper() -> FormHelper:
    """A crispy helper that renders the fields alone: the page's template writes the <form> tag and its CSRF token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
