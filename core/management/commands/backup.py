"""`manage.py backup`: pg_dump of the database (custom format) and a tar of the media files, timestamped."""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from core.backups import BackupError, Target, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the media files into BACKUP_DIR (default ./backups)."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            default=os.environ.get("BACKUP_DIR") or str(Path(settings.BASE_DIR) / "backups"),
            help="Folder for the backup files (env BACKUP_DIR; default ./backups).",
        )

    def handle(self, *args: Any, dir: str, **options: Any) -> None:
        try:
            source = Target.from_settings(settings.DATABASES["default"])
            backup = backup_create(
                source=source, directory=Path(dir), media_root=Path(settings.MEDIA_ROOT), now=timezone.now()
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Database backup: %(path)s (%(size)d bytes)") % {"path": backup.dump, "size": backup.dump.stat().st_size}
        )
        if backup.media is not None:
            self.stdout.write(_("Media files: %(path)s") % {"path": backup.media})
        else:
            self.stdout.write(_("No media files to back up."))
