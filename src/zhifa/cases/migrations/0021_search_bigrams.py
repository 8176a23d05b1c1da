"""Bigram indexes for two-character searches on PostgreSQL (docs/performance.md, "two-character searches"): a
trigram index cannot answer ``LIKE '%王伟%'`` (a two-character pattern has no trigram), so a two-character term — a
person's surname and name, the most common search by party — read every party (400,000 rows, a parallel scan of
~80 ms) and every vehicle (~50 ms) at a million cases. ``zhifa_bigrams(text)`` is the set of a text's two-character
substrings; a GIN index on it finds the rows that hold the term, and the ``LIKE`` is kept beside it, so the rows are
exactly those of the substring search. SQLite keeps its plain scans."""

from django.db import migrations

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION zhifa_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, char_length(value) - 1) AS i
$$
"""

BIGRAM = [
    ("party_name_bigram", "core_party", "name"),
    ("vehicle_plate_bigram", "core_vehicle", "plate"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BIGRAMS_FUNCTION)
    for name, table, column in BIGRAM:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" USING gin (zhifa_bigrams("{column}"))')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in BIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS zhifa_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0020_procedure_period_version"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
