"""`manage.py otp_reset USERNAME`: remove a user's authenticator and recovery codes after a lost phone."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.actions import otp_devices_reset


class Command(BaseCommand):
    help = "Remove a user's two-factor devices and end their sessions; they set up a new authenticator at next log-in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="User name of the staff member doing the reset (audited).")

    def handle(self, *args, username: str, by: str, **options):
        users = get_user_model().objects
        try:
            user = users.get(username=username)
            actor = users.get(username=by, is_staff=True, is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(_("No such user, or the one resetting is not active staff.")) from exc
        try:
            removed = otp_devices_reset(user=user, by=actor)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            ngettext(
                "Removed %(count)d two-factor device of %(user)s; their sessions have ended.",
                "Removed %(count)d two-factor devices of %(user)s; their sessions have ended.",
                removed,
            )
            % {"count": removed, "user": user.get_username()}
        )
