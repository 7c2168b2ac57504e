"""Backups of the portal's PostgreSQL database (pg_dump, custom format) and media files, and their restore."""

import datetime
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg2
from django.utils.translation import gettext as _
from psycopg2 import sql

DUMP_SUFFIX = ".dump"
MEDIA_SUFFIX = "-media.tar"


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """Where a PostgreSQL database is and how to reach it."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, database: dict[str, Any]) -> "Target":
        """From a DATABASES entry. Raises BackupError unless it is PostgreSQL."""
        if "postgresql" not in database.get("ENGINE", ""):
            raise BackupError(
                _(
                    "Backups need PostgreSQL (pg_dump and pg_restore); this portal runs on %(engine)s. "
                    "Set DATABASE_URL=postgres://… or copy the SQLite file while the portal is stopped."
                )
                % {"engine": database.get("ENGINE", "").rsplit(".", 1)[-1] or "?"}
            )
        return cls(
            name=str(database["NAME"]),
            host=str(database.get("HOST") or ""),
            port=str(database.get("PORT") or ""),
            user=str(database.get("USER") or ""),
            password=str(database.get("PASSWORD") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Target":
        """From a postgres:// URL. Raises BackupError for any other kind of URL."""
        parsed = urlparse(url)
        if parsed.scheme not in ("postgres", "postgresql", "pgsql") or not parsed.path.strip("/"):
            raise BackupError(_("The target must be a PostgreSQL URL: postgres://user@host:5432/name."))
        return cls(
            name=unquote(parsed.path.lstrip("/")),
            host=parsed.hostname or "",
            port=str(parsed.port or ""),
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
        )

    def client_args(self) -> list[str]:
        args = []
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return args

    def client_env(self) -> dict[str, str]:
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, dbname: str) -> Any:
        conn = psycopg2.connect(
            dbname=dbname,
            host=self.host or None,
            port=self.port or None,
            user=self.user or None,
            password=self.password or None,
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn


@dataclass(frozen=True)
class Backup:
    dump: Path
    media: Path | None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client).")
            % {"tool": name}
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": Path(args[0]).name, "error": done.stderr.strip()[-2000:]}
        )


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def backup_create(*, source: Target, directory: Path, media_root: Path, now: datetime.datetime) -> Backup:
    """Dump the database in pg_dump's custom format, plus a tar of the media files when there are any.

    Files are written under a temporary name and renamed when complete, so a failed run leaves no
    file that looks like a backup. Raises BackupError if pg_dump is missing or fails.
    """
    pg_dump = _tool("pg_dump")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = f"{source.name}-{stamp}"
    dump = directory / f"{stem}{DUMP_SUFFIX}"
    partial = directory / f".{stem}{DUMP_SUFFIX}.partial"
    try:
        _run(
            [pg_dump, "--format=custom", "--file", str(partial), *source.client_args(), source.name],
            source.client_env(),
        )
        partial.rename(dump)
    finally:
        partial.unlink(missing_ok=True)
    media = None
    files = _media_files(media_root)
    if files:
        media = directory / f"{stem}{MEDIA_SUFFIX}"
        partial_tar = directory / f".{stem}{MEDIA_SUFFIX}.partial"
        try:
            with tarfile.open(partial_tar, "w") as tar:
                for path in files:
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
            partial_tar.rename(media)
        finally:
            partial_tar.unlink(missing_ok=True)
    return Backup(dump=dump, media=media)


def media_archive_for(dump: Path) -> Path | None:
    """The media tar made with `dump`, if there is one."""
    if not dump.name.endswith(DUMP_SUFFIX):
        return None
    archive = dump.with_name(dump.name[: -len(DUMP_SUFFIX)] + MEDIA_SUFFIX)
    return archive if archive.is_file() else None


def table_count(target: Target) -> int | None:
    """How many tables, views and sequences the database holds outside PostgreSQL's own; None if it does not exist."""
    conn = target.connect("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name])
            if cursor.fetchone() is None:
                return None
    finally:
        conn.close()
    conn = target.connect(target.name)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                """
                SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
                """
            )
            return int(cursor.fetchone()[0])
    finally:
        conn.close()


def _create_database(target: Target, *, replace: bool) -> None:
    conn = target.connect("postgres")
    try:
        with conn.cursor() as cursor:
            if replace:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.name)))
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(target.name)))
    finally:
        conn.close()


def backup_restore(*, dump: Path, target: Target, force: bool = False) -> str:
    """Restore `dump` into `target`, a new or empty database (created when missing), in one transaction.

    With `force`, a database that holds tables is dropped and made anew first. Returns what was done.
    Raises BackupError if the file is not a backup, the database is not empty and `force` is off,
    or pg_restore fails (then the target holds nothing of the backup).
    """
    pg_restore = _tool("pg_restore")
    if not dump.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": dump})
    with dump.open("rb") as file:
        if file.read(5) != b"PGDMP":
            raise BackupError(_("%(path)s is not a pg_dump custom-format backup.") % {"path": dump})
    existing = table_count(target)
    if existing is None:
        _create_database(target, replace=False)
        done = _("Created the database “%(name)s” and restored %(file)s into it.")
    elif existing == 0:
        done = _("Restored %(file)s into the empty database “%(name)s”.")
    elif not force:
        raise BackupError(
            _(
                "The database “%(name)s” is not empty (%(count)d tables, views or sequences): restoring over it "
                "would mix two states. Restore into a new database (TARGET_DATABASE_URL=…), or set FORCE=1 to "
                "drop it and replace it with the backup."
            )
            % {"name": target.name, "count": existing}
        )
    else:
        _create_database(target, replace=True)
        done = _("Dropped the database “%(name)s”, made it anew and restored %(file)s into it.")
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *target.client_args(),
            "--dbname",
            target.name,
            str(dump),
        ],
        target.client_env(),
    )
    return done % {"name": target.name, "file": dump.name}


def media_restore(*, archive: Path, media_root: Path, force: bool = False) -> int:
    """Unpack a media tar into `media_root`; returns the number of files.

    Raises BackupError if a file would be overwritten and `force` is off.
    """
    with tarfile.open(archive, "r") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        clashes = [m.name for m in members if (media_root / m.name).exists()]
        if clashes and not force:
            raise BackupError(
                _("%(count)d media files already exist in %(root)s (e.g. %(name)s); set FORCE=1 to overwrite them.")
                % {"count": len(clashes), "root": media_root, "name": clashes[0]}
            )
        media_root.mkdir(parents=True, exist_ok=True)
        # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
        tar.extractall(media_root, members=members, filter="data")
    return len(members)
