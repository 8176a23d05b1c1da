"""ComplaintStep becomes a workflow-kernel history step (core.workflow.AbstractStep): the action is named (derived
for existing rows from the states and the note), the acting user is kept beside the signed name, states widen to
20 characters and ``at`` defaults to the time of the step."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def action_of(from_status: str, to_status: str, note: str) -> str:
    if not from_status:
        return "intake"
    if to_status == "replied":
        return "reply"
    if from_status == "replied" and to_status == "reopened":
        return "visit_dissatisfied"
    if to_status == "closed":
        return "visit_satisfied" if note.startswith("回访") else "close"
    return "assign"  # received/assigned → assigned, reopened → reopened


def backfill(apps, schema_editor):
    Step = apps.get_model("complaints", "ComplaintStep")
    for step in Step.objects.only("pk", "from_status", "to_status", "note").iterator():
        Step.objects.filter(pk=step.pk).update(action=action_of(step.from_status, step.to_status, step.note))


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0003_reader_citations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintstep",
            name="action",
            field=models.CharField(default="", max_length=40, verbose_name="动作"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="complaintstep",
            name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="complaintstep",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="署名"),
        ),
        migrations.AlterField(
            model_name="complaintstep",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="complaintstep",
            name="to_status",
            field=models.CharField(max_length=20, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="complaintstep",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
    ]
