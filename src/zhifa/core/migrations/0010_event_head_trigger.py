"""On PostgreSQL, the chain head (core_audithead) is set once per transaction, at commit, from the transaction's last
event, by a deferred constraint trigger on the event table — instead of an UPDATE with every event, which left
one row version per event that PostgreSQL cannot prune before the transaction ends (docs/adr/0011). SQLite keeps
updating the head with each event (audit.record); it has no such versions."""

from django.db import migrations

PG_SQL = """
CREATE OR REPLACE FUNCTION zhifa_event_head() RETURNS trigger AS $$
BEGIN
  -- Fired at commit for each event of the transaction (or earlier by SET CONSTRAINTS core_event_head IMMEDIATE,
  -- see audit.head()): only the last one, the highest seq, moves the head.
  UPDATE core_audithead SET seq = NEW.seq, hash = NEW.hash
   WHERE id = 1 AND NEW.seq = (SELECT max(seq) FROM core_event);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_event_head ON core_event;
CREATE CONSTRAINT TRIGGER core_event_head AFTER INSERT ON core_event DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION zhifa_event_head();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS core_event_head ON core_event;
DROP FUNCTION IF EXISTS zhifa_event_head();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_data_versions")]
    operations = [migrations.RunPython(forwards, backwards)]
