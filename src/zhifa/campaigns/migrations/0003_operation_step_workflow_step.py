"""OperationStep becomes a workflow-kernel history step (core.workflow.AbstractStep): wider action and state
columns, a note of at most 500 characters (longer notes, if any, are cut first), ``at`` set by the kernel."""

import django.utils.timezone
from django.conf import settings
import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Length, Substr


def cut_notes(apps, schema_editor):
    Step = apps.get_model("campaigns", "OperationStep")
    Step.objects.annotate(n=Length("note")).filter(n__gt=500).update(note=Substr("note", 1, 500))


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0002_departments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(cut_notes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="operationstep",
            name="action",
            field=models.CharField(max_length=40, verbose_name="动作"),
        ),
        migrations.AlterField(
            model_name="operationstep",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="operationstep",
            name="to_status",
            field=models.CharField(max_length=20, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="operationstep",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="operationstep",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="说明"),
        ),
        migrations.AlterField(
            model_name="operationstep",
            name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
    ]
