"""Database helpers that differ between SQLite and PostgreSQL."""

from importlib import import_module

from django.db import connection


def set_event_triggers(enabled: bool) -> None:
    """Switch the append-only triggers of the event table on or off.

    Off only for maintenance that must empty the whole database (test flushes, restore into an empty
    database); never in normal operation."""
    migration = import_module("zhifa.core.migrations.0002_event_append_only")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE core_event {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif enabled:
            for statement in migration.SQLITE_SQL:
                cur.execute(statement)
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_event_no_delete")
