"""The checked ids of 0016 become foreign keys on the same columns (a constraint and an index, no data moved)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cases", "0016_case_document_keys_checked"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casedocument",
            name="requested_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="制作人"),
        ),
        migrations.AlterField(
            model_name="casedocument",
            name="transcript",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name="+",
                                    to="cases.transcript", verbose_name="笔录"),
        ),
    ]
