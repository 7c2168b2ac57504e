"""Form helpers every app shares: showing an action's ValidationError on the form that called it, and the
crispy helper of a form whose page holds the form tag."""

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


def fields_only_helper() -> FormHelper:
    """A crispy helper that renders the fields alone: the page's template writes the <form> tag and its CSRF token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
