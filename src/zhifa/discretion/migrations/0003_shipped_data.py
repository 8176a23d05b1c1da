"""Load the shipped reference data: the overload rules of MOT Order 2016 No. 62, the legal-review and hearing
catalogue, and the national default catalogue and benchmark (data/*.yaml)."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from zhifa.discretion import loader

    names = ["ViolationItem", "BenchmarkEdition", "BenchmarkLevel", "ListEntry", "ReviewRule", "OverloadRuleVersion"]
    loader.load_shipped(SimpleNamespace(**{n: apps.get_model("discretion", n) for n in names}))


class Migration(migrations.Migration):
    dependencies = [("discretion", "0002_provision_status")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
