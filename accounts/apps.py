"""App configuration: connects the receivers that end sessions when an account loses access, and adds the
user admin's lost-phone action."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in security")

    def ready(self) -> None:
        from django.core import checks

        from . import admin_actions, receivers
        from .checks import first_hasher_loads

        checks.register(first_hasher_loads)
        receivers.connect()
        # The admin app is ready before this one (it comes first in INSTALLED_APPS), so the user
        # admin that services registers exists by now.
        admin_actions.add_to_user_admin()
