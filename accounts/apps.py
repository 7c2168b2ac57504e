"""App configuration: connects the receivers that end sessions when an account loses access."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in security")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
