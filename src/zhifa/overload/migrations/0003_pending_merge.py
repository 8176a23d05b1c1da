import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("overload", "0002_default_policies"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingMerge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=300, unique=True, verbose_name="文件")),
                ("rows", models.PositiveIntegerField(verbose_name="超限过车数")),
                ("batch", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="pending_merges",
                                            to="overload.ingestbatch", verbose_name="批次")),
            ],
            options={
                "verbose_name": "待合并超限过车",
                "verbose_name_plural": "待合并超限过车",
                "ordering": ["pk"],
            },
        ),
    ]
