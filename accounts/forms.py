"""Forms of the two-factor pages: one code field, sized and labelled for phones and screen readers."""

from django import forms
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
