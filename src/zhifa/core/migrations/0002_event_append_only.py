"""On PostgreSQL, the event table refuses UPDATE and DELETE (and TRUNCATE): the full-process record is
append-only (行政处罚法 Art. 47). SQLite gets equivalent triggers."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION zhifa_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'core_event is append-only: ' || TG_OP || ' refused', ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_event_no_update ON core_event;
CREATE TRIGGER core_event_no_update BEFORE UPDATE OR DELETE ON core_event FOR EACH ROW EXECUTE FUNCTION zhifa_event_append_only();
DROP TRIGGER IF EXISTS core_event_no_truncate ON core_event;
CREATE TRIGGER core_event_no_truncate BEFORE TRUNCATE ON core_event FOR EACH STATEMENT EXECUTE FUNCTION zhifa_event_append_only();
"""
SQLITE_SQL = [
    "CREATE TRIGGER IF NOT EXISTS core_event_no_update BEFORE UPDATE ON core_event "
    "BEGIN SELECT RAISE(ABORT, 'core_event is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_event_no_delete BEFORE DELETE ON core_event "
    "BEGIN SELECT RAISE(ABORT, 'core_event is append-only: DELETE refused'); END;",
]
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_event_no_update ON core_event;
DROP TRIGGER IF EXISTS core_event_no_truncate ON core_event;
DROP FUNCTION IF EXISTS zhifa_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_SQL)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_event_no_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
