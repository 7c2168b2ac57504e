"""An action's ValidationError lands on the form that called it, whichever shape the action raised."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.forms import add_action_errors


class NoteForm(forms.Form):
    note = forms.CharField()


def _bound() -> NoteForm:
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    return form


def test_a_field_error_goes_on_its_field():
    form = _bound()
    add_action_errors(form, ValidationError({"note": ["Too short.", "Not allowed."]}))
    assert form.errors["note"] == ["Too short.", "Not allowed."]


def test_an_error_on_a_field_the_form_lacks_goes_on_top():
    form = _bound()
    add_action_errors(form, ValidationError({"person": "Already visited today."}))
    assert form.errors[NON_FIELD_ERRORS] == ["Already visited today."]


def test_a_message_without_a_field_goes_on_top_instead_of_failing():
    form = _bound()
    add_action_errors(form, ValidationError("The escort is booked then."))
    assert form.errors[NON_FIELD_ERRORS] == ["The escort is booked then."]
    assert not form.is_valid()
