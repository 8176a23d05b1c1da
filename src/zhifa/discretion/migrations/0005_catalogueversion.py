import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("discretion", "CatalogueVersion").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [("discretion", "0004_art9_kinds_list_commitment")]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32, verbose_name="版本标记")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="变更时间")),
            ],
            options={"verbose_name": "裁量数据版本标记", "verbose_name_plural": "裁量数据版本标记"},
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
