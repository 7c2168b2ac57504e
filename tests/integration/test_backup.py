"""`manage.py backup` and `restore` on real PostgreSQL: every table comes back with the same rows."""

import dataclasses
import io
import re
import shlex
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from psycopg2 import sql

from core.backups import (
    BackupError,
    Target,
    _scratch_name,
    backup_create,
    backup_restore,
    media_archive_for,
    media_restore,
)


@pytest.fixture(autouse=True)
def _in_english(in_english):
    """The commands speak the active language; the assertions read English (tests/conftest.py: in_english)."""


CHECKSUMMED = ["services_person", "services_homevisit", "services_escortbooking", "accessibility_retrofit"]


def _url(target: Target) -> str:
    password = f":{target.password}" if target.password else ""
    return f"postgres://{target.user}{password}@{target.host or '127.0.0.1'}:{target.port or 5432}/{target.name}"


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        counts = {}
        for table in _tables(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def _checksums(conn) -> dict[str, str]:
    with conn.cursor() as cursor:
        sums = {}
        for table in CHECKSUMMED:
            cursor.execute(f'SELECT md5(string_agg(t::text, chr(10) ORDER BY t.id)) FROM "{table}" t')
            sums[table] = cursor.fetchone()[0]
        return sums


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_table_with_the_same_rows(needs_postgres, tmp_path, settings):
    media = tmp_path / "media"
    (media / "retrofit-photos" / "7").mkdir(parents=True)
    (media / "retrofit-photos" / "7" / "before.jpg").write_bytes(b"\xff\xd8\xff photo bytes")
    settings.MEDIA_ROOT = media
    with override_settings(DEBUG=True):
        call_command("seed_demo", persons=60, stdout=io.StringIO())

    source = Target.from_settings(settings.DATABASES["default"])
    out = io.StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    [dump] = list((tmp_path / "backups").glob("*.dump"))
    assert re.fullmatch(rf"{re.escape(source.name)}-\d{{8}}T\d{{6}}Z\.dump", dump.name)
    assert dump.read_bytes().startswith(b"PGDMP")
    [archive] = list((tmp_path / "backups").glob("*-media.tar"))
    assert archive.name == dump.name.replace(".dump", "-media.tar")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["retrofit-photos/7/before.jpg"]
    assert not list((tmp_path / "backups").glob(".*")), "no partial file is left behind"

    expected = _counts(connection.connection)
    expected_sums = _checksums(connection.connection)
    assert sum(1 for rows in expected.values() if rows) >= 30, "the demo fills many tables"
    assert all(expected_sums.values())

    restored = dataclasses.replace(source, name=f"{source.name}_restored")
    _drop(restored, [restored.name])
    try:
        call_command("restore", str(dump), target=_url(restored), stdout=out)
        assert f"Created the database “{restored.name}”" in out.getvalue()
        assert "unpack them into the target portal's MEDIA_ROOT" in out.getvalue()
        conn = restored.connect(restored.name)
        try:
            assert _counts(conn) == expected
            assert _checksums(conn) == expected_sums
            with conn.cursor() as cursor:
                cursor.execute("DELETE FROM services_accesslog")
                cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('stray', 'row')")
        finally:
            conn.close()

        with pytest.raises(CommandError, match="is not empty") as refused:
            call_command("restore", str(dump), target=_url(restored), stdout=io.StringIO())
        assert "FORCE=1" in str(refused.value)
        conn = restored.connect(restored.name)
        try:
            after_refusal = _counts(conn)
        finally:
            conn.close()
        assert after_refusal["django_content_type"] == expected["django_content_type"] + 1, "refusal changes nothing"

        call_command("restore", str(dump), target=_url(restored), force=True, stdout=io.StringIO())
        conn = restored.connect(restored.name)
        try:
            assert _counts(conn) == expected
            assert _checksums(conn) == expected_sums
        finally:
            conn.close()
    finally:
        _drop(restored, [restored.name])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_puts_media_files_back_and_refuses_to_overwrite_them(needs_postgres, tmp_path, settings):
    media = tmp_path / "media"
    (media / "events").mkdir(parents=True)
    (media / "events" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n original")
    settings.MEDIA_ROOT = media
    call_command("backup", dir=str(tmp_path / "backups"), stdout=io.StringIO())
    [dump] = list((tmp_path / "backups").glob("*.dump"))
    source = Target.from_settings(settings.DATABASES["default"])
    restored = dataclasses.replace(source, name=f"{source.name}_media")
    _drop(restored, [restored.name])
    _make(restored)
    try:
        # Restoring into the portal's own database takes the media too: point the portal at the new one.
        restored_settings = {**settings.DATABASES["default"], "NAME": restored.name}
        (media / "events" / "a.png").unlink()
        backup_restore(dump=dump, target=Target.from_settings(restored_settings))
        archive = media_archive_for(dump)
        assert archive is not None
        assert media_restore(archive=archive, media_root=media) == 1
        assert (media / "events" / "a.png").read_bytes().endswith(b"original")
        (media / "events" / "a.png").write_bytes(b"changed since")
        with pytest.raises(BackupError, match="already exist"):
            media_restore(archive=archive, media_root=media)
        assert (media / "events" / "a.png").read_bytes() == b"changed since"
    finally:
        _drop(restored, [restored.name])


def test_backup_refuses_sqlite_with_a_clear_message():
    with pytest.raises(BackupError, match=r"Backups need PostgreSQL.*sqlite3"):
        Target.from_settings({"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"})


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.dump"
    bogus.write_bytes(b"SELECT 1;")
    with pytest.raises(CommandError, match="not a pg_dump custom-format backup"):
        call_command(
            "restore", str(bogus), target="postgres://postgres@127.0.0.1:5432/never_made", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), target="postgres://x@127.0.0.1/y")
    with pytest.raises(CommandError, match="must be a PostgreSQL URL"):
        call_command("restore", str(bogus), target="sqlite:///db.sqlite3")


def _named_after(target: Target) -> list[str]:
    """The target itself and every database named `<target>__…` (the restore's temporary and set-aside ones)."""
    with target.server_cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR starts_with(datname, %s) ORDER BY datname",
            [target.name, f"{target.name}__"],
        )
        return [row[0] for row in cursor.fetchall()]


def _drop(target: Target, names: list[str]) -> None:
    with target.server_cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _make(target: Target, *statements: str) -> None:
    """Create the database `target` holding what `statements` put there."""
    with target.server_cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    conn = target.connect(target.name)
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def _kept_rows(target: Target) -> int:
    conn = target.connect(target.name)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM kept")
            return cursor.fetchone()[0]
    finally:
        conn.close()


OLD_DATA = ("CREATE TABLE kept (id int PRIMARY KEY, note text)", "INSERT INTO kept VALUES (1, 'a'), (2, 'b'), (3, 'c')")


@pytest.fixture
def server(needs_postgres, settings) -> Target:
    return Target.from_settings(settings.DATABASES["default"])


@pytest.fixture
def scratch(server) -> Iterator[Target]:
    """A database name of this test's own; it and any `<name>__…` database are dropped before and after."""
    target = dataclasses.replace(server, name=f"{server.name}_swap")
    _drop(target, _named_after(target))
    yield target
    _drop(target, _named_after(target))


@pytest.fixture
def good_dump(server, tmp_path) -> Iterator[Path]:
    """A backup of a small database of its own: table `fresh`, 3000 rows, enough that the data follows the schema."""
    source = dataclasses.replace(server, name=f"{server.name}_src")
    _drop(source, [source.name])
    _make(
        source,
        "CREATE TABLE fresh (id int PRIMARY KEY, note text NOT NULL)",
        "INSERT INTO fresh SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 3000) i",
    )
    try:
        made = backup_create(
            source=source, directory=tmp_path / "backups", media_root=tmp_path / "none", now=timezone.now()
        )
        yield made.dump
    finally:
        _drop(source, [source.name])


@pytest.fixture
def corrupt_dump(good_dump, tmp_path) -> Path:
    """The good backup cut off part-way through its data: pg_restore creates the table, then fails."""
    whole = good_dump.read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    return cut


@pytest.mark.postgres
def test_failed_forced_restore_keeps_the_old_database_and_leaves_no_temporary_one(scratch, corrupt_dump):
    _make(scratch, *OLD_DATA)
    assert _kept_rows(scratch) == 3
    with pytest.raises(CommandError) as failed:
        call_command("restore", str(corrupt_dump), target=_url(scratch), force=True, stdout=io.StringIO())
    assert _kept_rows(scratch) == 3
    assert _named_after(scratch) == [scratch.name]
    assert f"not restored; the database “{scratch.name}” is as it was. pg_restore failed" in str(failed.value)


@pytest.mark.postgres
def test_failed_restore_into_a_new_database_creates_nothing(scratch, corrupt_dump):
    with pytest.raises(BackupError) as failed:
        backup_restore(dump=corrupt_dump, target=scratch)
    assert _named_after(scratch) == []
    assert f"no database “{scratch.name}” was created. pg_restore failed" in str(failed.value)


@pytest.mark.postgres
def test_failed_restore_into_an_empty_database_leaves_it_empty(scratch, corrupt_dump):
    _make(scratch)
    with pytest.raises(BackupError) as failed:
        backup_restore(dump=corrupt_dump, target=scratch)
    conn = scratch.connect(scratch.name)
    try:
        with conn.cursor() as cursor:
            assert _tables(cursor) == [], "the single transaction took back the table pg_restore had made"
    finally:
        conn.close()
    assert _named_after(scratch) == [scratch.name]
    assert "is as it was. pg_restore failed" in str(failed.value)


@pytest.mark.postgres
def test_forced_restore_replaces_the_data_only_once_the_backup_is_in(scratch, good_dump, tmp_path, monkeypatch):
    _make(scratch, *OLD_DATA)
    # pg_restore, seen from outside: it reads the target first, so the test sees what the target held meanwhile.
    observed = tmp_path / "observed"
    hook = tmp_path / "bin" / "pg_restore"
    hook.parent.mkdir()
    psql = [shutil.which("psql"), "-X", "-At", *scratch.client_args(), "-d", scratch.name]
    hook.write_text(
        "#!/bin/sh\n"
        f"{shlex.join([*psql, '-c', 'SELECT count(*) FROM kept'])} > {shlex.quote(str(observed))} 2>&1\n"
        f'exec {shlex.quote(shutil.which("pg_restore"))} "$@"\n'
    )
    hook.chmod(0o755)
    monkeypatch.setenv("PATH", f"{hook.parent}:{scratch.client_env()['PATH']}")
    portal = scratch.connect(scratch.name)  # a session on the old database must not block the swap
    try:
        done = backup_restore(dump=good_dump, target=scratch, force=True)
    finally:
        portal.close()
    assert observed.read_text().strip() == "3", "the old database was whole while pg_restore ran"
    assert done == f"Restored {good_dump.name} into a new database and put it in place of “{scratch.name}”, " + (
        "then dropped the old database."
    )
    conn = scratch.connect(scratch.name)
    try:
        assert _counts(conn) == {"fresh": 3000}, "the old table `kept` is gone, the backup's table is whole"
    finally:
        conn.close()
    assert _named_after(scratch) == [scratch.name], "no __restore_ or __replaced_ database is left"


class _FailingCursor(psycopg2.extensions.cursor):
    """A cursor on which the statements matching `failing` fail, as the server would refuse them."""

    failing = ""

    def execute(self, query, vars=None):
        text = query.as_string(self) if isinstance(query, sql.Composable) else query
        if re.match(self.failing, text):
            raise psycopg2.errors.ObjectInUse(f"refused by the test: {text}")
        return super().execute(query, vars)


def _fail_on(monkeypatch, target: Target, pattern: str) -> None:
    """Make the statements matching `pattern` fail; `{name}` in it stands for the target's name."""
    cursor_class = type("Failing", (_FailingCursor,), {"failing": pattern.format(name=re.escape(target.name))})
    connect = Target.connect

    def connect_failing(self, dbname):
        conn = connect(self, dbname)
        conn.cursor_factory = cursor_class
        return conn

    monkeypatch.setattr(Target, "connect", connect_failing)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "failing",
    [
        pytest.param(r'ALTER DATABASE "{name}" RENAME TO "{name}__replaced_', id="moving-the-old-one-aside"),
        pytest.param(r'ALTER DATABASE "{name}__restore_\w+" RENAME TO "{name}"$', id="renaming-the-restored-one"),
    ],
)
def test_a_forced_restore_whose_rename_fails_leaves_the_old_database_in_place_and_open(
    scratch, good_dump, monkeypatch, failing
):
    _make(scratch, *OLD_DATA)
    _fail_on(monkeypatch, scratch, failing)
    with pytest.raises(CommandError) as failed:
        call_command("restore", str(good_dump), target=_url(scratch), force=True, stdout=io.StringIO())
    assert _kept_rows(scratch) == 3, "the old database holds its name again and takes connections"
    assert _named_after(scratch) == [scratch.name], "the restored copy is dropped and nothing is left aside"
    assert f"could not be renamed to “{scratch.name}”, so it was dropped and “{scratch.name}” is as it was" in str(
        failed.value
    )


@pytest.mark.postgres
def test_a_forced_restore_that_cannot_drop_the_old_database_keeps_it_aside_and_open(scratch, good_dump, monkeypatch):
    _make(scratch, *OLD_DATA)
    _fail_on(monkeypatch, scratch, r'DROP DATABASE "{name}__replaced_')
    done = backup_restore(dump=good_dump, target=scratch, force=True)
    [aside] = [name for name in _named_after(scratch) if name != scratch.name]
    assert aside.startswith(f"{scratch.name}__replaced_")
    assert done.endswith(
        f"The old database could not be dropped and is kept as “{aside}”: drop it when it is no longer needed."
    )
    assert _kept_rows(dataclasses.replace(scratch, name=aside)) == 3, "the old data, reachable for the operator"
    conn = scratch.connect(scratch.name)
    try:
        assert _counts(conn) == {"fresh": 3000}
    finally:
        conn.close()


@pytest.mark.postgres
def test_a_restore_that_cannot_create_its_temporary_database_changes_nothing(scratch, good_dump, monkeypatch):
    _make(scratch, *OLD_DATA)
    _fail_on(monkeypatch, scratch, r'CREATE DATABASE "{name}__restore_')
    with pytest.raises(CommandError, match=f"the database “{scratch.name}” is as it was. refused by the test"):
        call_command("restore", str(good_dump), target=_url(scratch), force=True, stdout=io.StringIO())
    assert _kept_rows(scratch) == 3
    assert _named_after(scratch) == [scratch.name]


def test_a_restore_into_a_server_that_cannot_be_reached_is_refused_with_a_message(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP" + bytes(100))
    with pytest.raises(CommandError, match="“nowhere” cannot be reached, so nothing was restored"):
        call_command("restore", str(dump), target="postgres://postgres@127.0.0.1:1/nowhere", stdout=io.StringIO())


def test_temporary_names_fit_postgres_identifiers():
    long = "静安" * 10 + "x" * 30  # 90 bytes in UTF-8
    name = _scratch_name(long, "replaced")
    assert len(name.encode()) <= 63
    assert re.fullmatch(r"(静安)+x*__replaced_[0-9a-f]{8}", name)
    assert re.fullmatch(r"jingan__restore_[0-9a-f]{8}", _scratch_name("jingan", "restore"))
    assert _scratch_name("jingan", "restore") != _scratch_name("jingan", "restore")


def test_media_restore_overwrites_only_with_force(tmp_path):
    archive = tmp_path / "x-media.tar"
    (tmp_path / "backed-up" / "events").mkdir(parents=True)
    (tmp_path / "backed-up" / "events" / "a.png").write_bytes(b"from the backup")
    (tmp_path / "backed-up" / "events" / "b.png").write_bytes(b"only in the backup")
    with tarfile.open(archive, "w") as tar:
        tar.add(tmp_path / "backed-up", arcname=".")
    media = tmp_path / "media"
    (media / "events").mkdir(parents=True)
    (media / "events" / "a.png").write_bytes(b"changed since")

    with pytest.raises(BackupError, match=r"1 media files already exist .*FORCE=1"):
        media_restore(archive=archive, media_root=media)
    assert (media / "events" / "a.png").read_bytes() == b"changed since"
    assert not (media / "events" / "b.png").exists(), "a refusal unpacks nothing"

    assert media_restore(archive=archive, media_root=media, force=True) == 2
    assert (media / "events" / "a.png").read_bytes() == b"from the backup"
    assert (media / "events" / "b.png").read_bytes() == b"only in the backup"
