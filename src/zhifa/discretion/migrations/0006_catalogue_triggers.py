"""The catalogue's version token (``CatalogueVersion``) is changed by the database itself, in the same transaction,
by every INSERT, UPDATE or DELETE (and TRUNCATE on PostgreSQL) of a table the discretion engine reads: an ORM
save, a queryset ``update()``, a bulk write, a data migration on historical models or raw SQL alike. The engine
keeps its results per process under the token (``engine.assess``), so none of those can leave a stale proposal."""

from django.db import migrations

TABLES = ("discretion_violationitem", "discretion_benchmarkedition", "discretion_benchmarklevel",
          "discretion_listentry", "discretion_overloadruleversion")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zhifa_catalogue_changed() RETURNS trigger AS $$
BEGIN
  UPDATE discretion_catalogueversion SET token = md5(random()::text || clock_timestamp()::text), changed_at = now();
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = ("DROP TRIGGER IF EXISTS {t}_catalogue_changed ON {t}; CREATE TRIGGER {t}_catalogue_changed AFTER INSERT OR "
              "UPDATE OR DELETE OR TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION zhifa_catalogue_changed();")
SQLITE_TRIGGER = ("CREATE TRIGGER IF NOT EXISTS {t}_catalogue_{op} AFTER {OP} ON {t} BEGIN UPDATE discretion_catalogueversion "
                  "SET token = lower(hex(randomblob(16))), changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now'); END;")
OPS = ("insert", "update", "delete")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for t in TABLES:
            schema_editor.execute(PG_TRIGGER.format(t=t))
    elif vendor == "sqlite":
        for t in TABLES:
            for op in OPS:
                schema_editor.execute(SQLITE_TRIGGER.format(t=t, op=op, OP=op.upper()))
    else:
        raise NotImplementedError(f"the catalogue's version triggers are written for PostgreSQL and SQLite, not {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for t in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_catalogue_changed ON {t};")
        elif vendor == "sqlite":
            for op in OPS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_catalogue_{op};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS zhifa_catalogue_changed();")


class Migration(migrations.Migration):
    dependencies = [("discretion", "0005_catalogueversion")]
    operations = [migrations.RunPython(forwards, backwards)]
