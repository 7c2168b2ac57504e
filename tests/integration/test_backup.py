"""`manage.py backup` and `restore` on real PostgreSQL: every table comes back with the same rows."""

import io
import re
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import translation

from services.backups import BackupError, Target, backup_restore, media_archive_for, media_restore


@pytest.fixture(autouse=True)
def _in_english():
    """The commands speak the active language; the assertions read English."""
    with translation.override("en"):
        yield


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

    restored = Target(
        name=f"{source.name}_restored", host=source.host, port=source.port, user=source.user, password=source.password
    )
    admin = restored.connect("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored.name}" WITH (FORCE)')
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
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored.name}" WITH (FORCE)')
        admin.close()


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
    restored = Target(
        name=f"{source.name}_media", host=source.host, port=source.port, user=source.user, password=source.password
    )
    admin = restored.connect("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{restored.name}"')
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
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored.name}" WITH (FORCE)')
        admin.close()


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
