"""The procedure periods are kept in each process's memory (``cases.rules.period_table``) under a version token the
database changes with every write to the table (``zhifa.core.versions``)."""

from django.db import migrations

from zhifa.core.versions import track

TRACKED = {"procedure_periods": ("cases_procedureperiod",)}


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0019_legal_review_range_snapshot"),
        ("core", "0009_data_versions"),
    ]

    operations = [track(key, tables) for key, tables in TRACKED.items()]
