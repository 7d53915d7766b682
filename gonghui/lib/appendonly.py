"""Database triggers that make a table append-only (refuse UPDATE and DELETE), on both backends.

Used by migrations of the audit trail now and the money ledger later.
"""

from __future__ import annotations

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION gonghui_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation'; END $$;"
)


def create_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        ]
    if vendor == "postgresql":
        return [
            PG_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION gonghui_refuse_change();",
            # TRUNCATE bypasses row triggers; refuse it too.
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION gonghui_refuse_change();",
        ]
    raise NotImplementedError(vendor)


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"]


def operation(table: str):  # type: ignore[no-untyped-def]
    """Install (or reinstall) the triggers. Any migration that alters an append-only table must end
    with this: SQLite rebuilds a table on ALTER and drops its triggers with it."""
    from django.db import migrations

    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        for sql in drop_sql(vendor, table) + create_sql(vendor, table):
            schema_editor.execute(sql, params=None)

    def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)
