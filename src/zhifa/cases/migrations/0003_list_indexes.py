"""Indexes for the case lists at a million cases (docs/performance.md): state and registration-date filters, and on
PostgreSQL trigram indexes for the search box (案件编号、决定书文号、地点, and the party names and plates the case
search matches through id subqueries). The trigram indexes on ``core_party`` and ``core_vehicle`` live here because
the case search is what needs them. SQLite keeps its plain scans."""

from django.db import migrations, models

TRIGRAM = [
    ("case_number_trgm", "cases_case", "number"),
    ("case_decision_number_trgm", "cases_case", "decision_number"),
    ("case_place_trgm", "cases_case", "place"),
    ("party_name_trgm", "core_party", "name"),
    ("vehicle_plate_trgm", "core_vehicle", "plate"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin ("{column}" gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_procedure_period"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "id"], name="case_status_id_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["organisation", "registered_at"], name="case_org_registered_idx"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
