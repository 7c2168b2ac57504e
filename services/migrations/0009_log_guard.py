"""A database-level guard on the two log tables: rows are never changed, and deleted only by the purge.

The portal's code already refuses (ImmutableModel); this refuses any other client too (a script, a
psql session of an application account). The retention purge sets `jingan.audit_purge` for its own
transaction, and even then only rows older than 183 days (services.registry.retention.MIN_RETENTION_DAYS) by
the database's clock may go. PostgreSQL only; TRUNCATE and a superuser who disables triggers are
outside what a trigger can stop.
"""

from django.db import migrations

TABLES = ("services_accesslog", "services_auditentry")

GUARD = """
CREATE OR REPLACE FUNCTION services_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('jingan.audit_purge', true) = 'on'
       AND OLD.at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'log entries cannot be changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GUARD, params=None)  # no parameters: the % in RAISE stays as written
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION services_log_guard()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS services_log_guard()")


class Migration(migrations.Migration):
    dependencies = [("services", "0008_visit_purpose_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
