"""Backups of the portal's PostgreSQL database (pg_dump, custom format) and media files, and their restore."""

import datetime
import os
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
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

    @contextmanager
    def server_cursor(self) -> Iterator[Any]:
        """A cursor on the server's maintenance database `postgres`, for CREATE, ALTER and DROP DATABASE."""
        conn = self.connect("postgres")
        try:
            with conn.cursor() as cursor:
                yield cursor
        finally:
            conn.close()


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
    with target.server_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name])
        if cursor.fetchone() is None:
            return None
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


def _scratch_name(name: str, kind: str) -> str:
    """`<name>__<kind>_<8 hex digits>`, the name shortened so the whole fits PostgreSQL's 63-byte identifiers."""
    suffix = f"__{kind}_{secrets.token_hex(4)}"
    return name.encode()[: 63 - len(suffix)].decode(errors="ignore") + suffix


def _create_database(target: Target, name: str) -> None:
    with target.server_cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))


def _drop_database(target: Target, name: str) -> None:
    with target.server_cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _pg_restore(pg_restore: str, dump: Path, target: Target, dbname: str) -> None:
    # One transaction and the first error ends it: a failed restore leaves `dbname` as it was.
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *target.client_args(),
            "--dbname",
            dbname,
            str(dump),
        ],
        target.client_env(),
    )


def _put_in_place(target: Target, restored: str, *, replace: bool) -> str | None:
    """Rename the database `restored` to the target's name; with `replace`, move the current one aside and drop it.

    A complete database holds the target's name or the aside name at every moment. Returns the aside name
    if it could not be dropped. Raises psycopg2.Error if a rename fails; the target is then as it was.
    """
    name, new = sql.Identifier(target.name), sql.Identifier(restored)
    with target.server_cursor() as cursor:
        if not replace:
            cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(new, name))
            return None
        aside = _scratch_name(target.name, "replaced")
        old = sql.Identifier(aside)
        # A session in the database blocks the rename; closing the door first stops new ones slipping in.
        cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
        try:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [target.name],
            )
            cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(name, old))
        except psycopg2.Error:
            cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))
            raise
        try:
            cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(new, name))
        except psycopg2.Error:
            cursor.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(old, name))
            cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))
            raise
        try:
            cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(old))
        except psycopg2.Error:
            # The backup is in place; the old data stays reachable under the aside name for the operator.
            cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(old))
            return aside
        return None


def backup_restore(*, dump: Path, target: Target, force: bool = False) -> str:
    """Restore `dump` into `target`, a new or empty database (created when missing), in one transaction.

    A new database, or with `force` one that holds tables, is restored beside the target under a temporary
    name and renamed into place only once pg_restore has succeeded; the database it replaces is dropped
    after that; the sessions open on the replaced database are ended. Returns what was done. Raises
    BackupError if the file is not a backup, the server cannot be reached, the database is not empty and
    `force` is off, or pg_restore or a rename fails (then the target is exactly as it was and no temporary
    database is left).
    """
    pg_restore = _tool("pg_restore")
    if not dump.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": dump})
    with dump.open("rb") as file:
        if file.read(5) != b"PGDMP":
            raise BackupError(_("%(path)s is not a pg_dump custom-format backup.") % {"path": dump})
    try:
        existing = table_count(target)
    except psycopg2.Error as exc:
        raise BackupError(
            _("The database “%(name)s” cannot be reached, so nothing was restored. %(error)s")
            % {"name": target.name, "error": str(exc).strip()}
        ) from exc
    if existing and not force:
        raise BackupError(
            _(
                "The database “%(name)s” is not empty (%(count)d tables, views or sequences): restoring over it "
                "would mix two states. Restore into a new database (--target, or TARGET_DATABASE_URL=… with make), "
                "or pass --force (FORCE=1 with make) to replace it with the backup."
            )
            % {"name": target.name, "count": existing}
        )
    if existing is None:
        unchanged = _("The backup was not restored and no database “%(name)s” was created. %(error)s")
    else:
        unchanged = _("The backup was not restored; the database “%(name)s” is as it was. %(error)s")
    if existing == 0:
        # An empty database someone prepared keeps its owner and grants; the single transaction leaves it empty
        # if pg_restore fails.
        try:
            _pg_restore(pg_restore, dump, target, target.name)
        except BackupError as exc:
            raise BackupError(unchanged % {"name": target.name, "error": exc}) from exc
        return _("Restored %(file)s into the empty database “%(name)s”.") % {"name": target.name, "file": dump.name}

    temp = _scratch_name(target.name, "restore")
    try:
        _create_database(target, temp)
    except psycopg2.Error as exc:
        raise BackupError(unchanged % {"name": target.name, "error": str(exc).strip()}) from exc
    placed = False
    try:
        try:
            _pg_restore(pg_restore, dump, target, temp)
        except BackupError as exc:
            raise BackupError(unchanged % {"name": target.name, "error": exc}) from exc
        try:
            kept = _put_in_place(target, temp, replace=existing is not None)
        except psycopg2.Error as exc:
            raise BackupError(
                _(
                    "The backup was restored into “%(temp)s” but could not be renamed to “%(name)s”, so it was "
                    "dropped and “%(name)s” is as it was. %(error)s"
                )
                % {"temp": temp, "name": target.name, "error": str(exc).strip()}
            ) from exc
        placed = True
    finally:
        if not placed:
            _drop_database(target, temp)
    if existing is None:
        done = _("Created the database “%(name)s” and restored %(file)s into it.")
    else:
        done = _(
            "Restored %(file)s into a new database and put it in place of “%(name)s”, then dropped the old database."
        )
    done %= {"name": target.name, "file": dump.name}
    if kept is not None:
        done += " " + _(
            "The old database could not be dropped and is kept as “%(old)s”: drop it when it is no longer needed."
        ) % {"old": kept}
    return done


def media_restore(*, archive: Path, media_root: Path, force: bool = False) -> int:
    """Unpack a media tar into `media_root`; returns the number of files.

    Raises BackupError if a file would be overwritten and `force` is off.
    """
    with tarfile.open(archive, "r") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        clashes = [m.name for m in members if (media_root / m.name).exists()]
        if clashes and not force:
            raise BackupError(
                _(
                    "%(count)d media files already exist in %(root)s (e.g. %(name)s); pass --force (FORCE=1 with make) "
                    "to overwrite them."
                )
                % {"count": len(clashes), "root": media_root, "name": clashes[0]}
            )
        media_root.mkdir(parents=True, exist_ok=True)
        # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
        tar.extractall(media_root, members=members, filter="data")
    return len(members)
