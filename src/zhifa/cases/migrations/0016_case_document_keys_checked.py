"""The person who called for a case paper and the transcript it reproduces become foreign keys (0017). First the
two plain id columns are renamed in the state only (the columns keep their names, requested_by_id and
transcript_id, which the foreign keys use), and any id that names no user or no transcript is reported and
cleared: such a paper is retried as nobody's, without a transcript, which is what the retry did with an id it
could not find."""

import sys

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef


def clear_dangling(apps, schema_editor):
    CaseDocument = apps.get_model("cases", "CaseDocument")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Transcript = apps.get_model("cases", "Transcript")
    for field, target, what in (("requested_by", User, "制作人（用户）"), ("transcript", Transcript, "笔录")):
        # An anti-join (NOT EXISTS), not NOT IN (subquery): with millions of papers
        # and transcripts PostgreSQL runs NOT IN as a subplan per row.
        rows = (CaseDocument.objects.filter(**{f"{field}__isnull": False})
                .filter(~Exists(target.objects.filter(pk=OuterRef(field)))).order_by("pk"))
        found = list(rows.values_list("pk", "case_id", "kind", field))
        if not found:
            continue
        for pk, case_id, kind, value in found:
            message = f"案件文书#{pk}（案件#{case_id}，{kind}）记录的{what}ID {value} 不存在，已清空"
            sys.stderr.write(message + "\n")
        CaseDocument.objects.filter(pk__in=[row[0] for row in found]).update(**{field: None})


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cases", "0015_preservation_step"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="casedocument", name="requested_by_id"),
                migrations.RemoveField(model_name="casedocument", name="transcript_id"),
                migrations.AddField(model_name="casedocument", name="requested_by",
                                    field=models.BigIntegerField(blank=True, null=True, db_column="requested_by_id",
                                                                 verbose_name="制作人ID")),
                migrations.AddField(model_name="casedocument", name="transcript",
                                    field=models.BigIntegerField(blank=True, null=True, db_column="transcript_id",
                                                                 verbose_name="笔录ID")),
            ],
            database_operations=[],
        ),
        migrations.RunPython(clear_dangling, migrations.RunPython.noop, elidable=True),
    ]
