"""Form helpers every app shares: showing an action's ValidationError on the form that called it."""

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
