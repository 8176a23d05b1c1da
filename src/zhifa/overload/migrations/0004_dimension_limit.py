"""The Art. 3 outline limits as versioned data (超限运输车辆行驶公路管理规定 Art. 3 items 1–3; legal-reference §4, a
secondary source on which several copies agree), and the outline flags carried by a violation."""

from datetime import date

from django.db import migrations, models

CITATION = "《超限运输车辆行驶公路管理规定》第三条第一款第（一）至（三）项（车货总高度4米、总宽度2.55米、总长度18.1米）"


def forwards(apps, schema_editor):
    DimensionLimit = apps.get_model("overload", "DimensionLimit")
    DimensionLimit.objects.get_or_create(effective_from=date(2016, 9, 21), defaults={
        "max_height_mm": 4000, "max_width_mm": 2550, "max_length_mm": 18100, "citation": CITATION})


class Migration(migrations.Migration):

    dependencies = [
        ("overload", "0003_pending_merge"),
    ]

    operations = [
        migrations.CreateModel(
            name="DimensionLimit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("effective_from", models.DateField(unique=True, verbose_name="生效日期")),
                ("max_height_mm", models.PositiveIntegerField(default=4000, verbose_name="总高度限值（mm）")),
                ("max_width_mm", models.PositiveIntegerField(default=2550, verbose_name="总宽度限值（mm）")),
                ("max_length_mm", models.PositiveIntegerField(default=18100, verbose_name="总长度限值（mm）")),
                ("citation", models.CharField(max_length=200, verbose_name="依据")),
            ],
            options={"verbose_name": "外廓尺寸限值", "verbose_name_plural": "外廓尺寸限值", "ordering": ["-effective_from"]},
        ),
        migrations.AddField(
            model_name="violation",
            name="dimension_over",
            field=models.PositiveSmallIntegerField(default=0, help_text="首次过车的外廓超限项（位：1 高度、2 宽度、4 长度），第三条第一至三项。",
                                                   verbose_name="外廓超限"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
