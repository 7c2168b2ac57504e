"""Loading a table as PostgreSQL's manual advises (Populating a Database): its foreign keys and secondary
indexes are dropped before its rows are copied in, and made again once every table is in. All of it happens
in the run's transaction, so a failure leaves the schema and the rows as they were."""

from typing import Any


class BulkLoad:
    """Drops the foreign keys and secondary indexes of each table given, and makes them again in restore()."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.indexes: list[str] = []
        self.foreign_keys: list[str] = []
        # Sorting more at once builds an index faster (the server's default is 64 MB).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # PostgreSQL alters no table with foreign key checks pending: the rows written so far in the
        # transaction (the accounts) are checked now, and every row after them as it is written.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def drop(self, table: str) -> None:
        """Drop the foreign keys of `table` and its indexes that back no primary key or constraint."""
        cursor = self.cursor
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            self.foreign_keys.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
              AND NOT EXISTS (
                SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')
              )
            """,
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            self.indexes.append(definition)

    def restore(self) -> None:
        """Build the indexes again, then add the foreign keys back (each checked in one pass over its table)."""
        for statement in [*self.indexes, *self.foreign_keys]:
            self.cursor.execute(statement)
        self.indexes, self.foreign_keys = [], []
        # Back to the way Django declares every foreign key: checked when the transaction commits.
        self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
