"""PermitStatusChange becomes a workflow-kernel history step (core.workflow.AbstractStep): the action is named
(derived for existing rows from the state reached), the time of the step is ``at`` (was ``created_at``)."""

import django.utils.timezone
from django.db import migrations, models

ACTION_BY_TARGET = {"submitted": "submit", "accepted": "accept", "not_accepted": "refuse", "approved": "decide",
                    "denied": "decide", "revoked": "revoke"}


def backfill(apps, schema_editor):
    Step = apps.get_model("permits", "PermitStatusChange")
    for to_status, action in ACTION_BY_TARGET.items():
        Step.objects.filter(to_status=to_status).update(action=action)
    Step.objects.update(at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("permits", "0003_certificate_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="permitstatuschange",
            name="action",
            field=models.CharField(default="", max_length=40, verbose_name="动作"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="permitstatuschange",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="permitstatuschange", name="created_at"),
        migrations.AlterField(
            model_name="permitstatuschange",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="permitstatuschange",
            name="to_status",
            field=models.CharField(max_length=20, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="permitstatuschange",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="说明"),
        ),
        migrations.AlterModelOptions(
            name="permitstatuschange",
            options={"ordering": ["at", "pk"], "verbose_name": "许可状态变更", "verbose_name_plural": "许可状态变更"},
        ),
    ]
