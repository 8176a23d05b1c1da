"""The catalogue's version token moves to ``core.DataVersion`` (key ``discretion``, ``zhifa.core.versions``): one
mechanism for every kind of reference data a process keeps, and the case page reads the catalogue's token with the
others in its one query instead of one of its own. The triggers of 0006 (which wrote ``CatalogueVersion``) are
dropped first, then the model; the same tables get the ``core.versions`` triggers."""

import importlib
import uuid

from django.db import migrations

from zhifa.core.versions import track

# The tables the engine reads (0006's; tests/test_engine_memo.py checks the engine's models against them).
TABLES = (
    "discretion_violationitem",
    "discretion_benchmarkedition",
    "discretion_benchmarklevel",
    "discretion_listentry",
    "discretion_overloadruleversion",
)

_old = importlib.import_module("zhifa.discretion.migrations.0006_catalogue_triggers")


def _old_row(apps, schema_editor):
    """Reversed: the one row of ``CatalogueVersion`` as 0005 made it (without it the old engine keeps nothing)."""
    apps.get_model("discretion", "CatalogueVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_data_versions"),
        ("discretion", "0006_catalogue_triggers"),
    ]

    operations = [
        # Reversed: the old triggers again (the model is made again first, by DeleteModel's reverse).
        migrations.RunPython(_old.backwards, _old.forwards),
        migrations.RunPython(migrations.RunPython.noop, _old_row),
        migrations.DeleteModel(name="CatalogueVersion"),
        track("discretion", TABLES),
    ]
