"""Document counters move to the platform's one numbering service (core.NumberCounter, series documents.document,
sub-series = the series word): each row is copied with its count, then the old table goes."""

from django.db import migrations


def move_counters(apps, schema_editor):
    DocumentCounter = apps.get_model("documents", "DocumentCounter")
    NumberCounter = apps.get_model("core", "NumberCounter")
    NumberCounter.objects.bulk_create(
        NumberCounter(series="documents.document", organisation_id=row.organisation_id, year=row.year, part=row.series, last=row.last)
        for row in DocumentCounter.objects.all())


def move_back(apps, schema_editor):
    DocumentCounter = apps.get_model("documents", "DocumentCounter")
    NumberCounter = apps.get_model("core", "NumberCounter")
    rows = NumberCounter.objects.filter(series="documents.document")
    DocumentCounter.objects.bulk_create(
        DocumentCounter(organisation_id=row.organisation_id, year=row.year, series=row.part, last=row.last) for row in rows)
    rows.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_number_counter"),
        ("documents", "0002_number_series"),
    ]

    operations = [
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(move_counters, move_back, elidable=True),
        migrations.DeleteModel(name="DocumentCounter"),
    ]
