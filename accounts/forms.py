"""Forms of the two-factor pages: one code field, sized and labelled for phones and screen readers."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .actions import normalise_token


class AuthenticatorCodeForm(forms.Form):
    """A 6-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        # The same reading of a typed code as the verify page: spaces and dashes do not count.
        token = normalise_token(self.cleaned_data["token"])
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."), code="format")
        return token


class VerifyCodeForm(forms.Form):
    """An authenticator code, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=24,
        help_text=_("A recovery code works once; use one only when you do not have your phone."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class UserNameLengthMixin:
    """The log-in forms refuse a user name longer than any account's, with the field's own message.

    Django's AuthenticationForm sets the field's max_length after the field is built, so no validator
    checks it and an over-long name went on to authenticate() and the lockout records (a server error).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(UserNameLengthMixin, AuthenticationForm):
    """The portal's log-in form."""


class AdminLoginForm(UserNameLengthMixin, AdminAuthenticationForm):
    """The admin site's log-in form."""
