"""`manage.py restore FILE`: pg_restore a backup into a new or empty database (or, with --force, replace one)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from core.backups import BackupError, Target, backup_restore, media_archive_for, media_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a new or empty PostgreSQL database "
        "(default: DATABASE_URL's). Refuses a database that holds tables unless --force."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="The .dump file written by `manage.py backup`.")
        parser.add_argument("--target", default="", help="postgres:// URL of the database to restore into.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a non-empty target database once the backup is restored beside it; overwrite media files.",
        )

    def handle(self, *args: Any, backup: str, target: str, force: bool, **options: Any) -> None:
        dump = Path(backup)
        try:
            into = Target.from_url(target) if target else Target.from_settings(settings.DATABASES["default"])
            # The portal's own connection would keep the database busy while it is replaced.
            connections.close_all()
            self.stdout.write(backup_restore(dump=dump, target=into, force=force))
            archive = media_archive_for(dump)
            if archive is not None and not target:
                count = media_restore(archive=archive, media_root=Path(settings.MEDIA_ROOT), force=force)
                self.stdout.write(_("Restored %(count)d media files.") % {"count": count})
            elif archive is not None:
                self.stdout.write(
                    _("Media files are in %(path)s: unpack them into the target portal's MEDIA_ROOT.")
                    % {"path": archive}
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
