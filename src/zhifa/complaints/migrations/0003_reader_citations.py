"""Seeded citations in the reader's words: "待核实" instead of "[unconfirmed]", no pointers to the project's own
legal reference or seed files (issue 18). Only rows still holding the shipped text are rewritten; edited rows are kept."""

from django.db import migrations, models

TEXTS = [
    ('DeadlineRule', 'citation', '《交通运输服务监督电话（12328）管理办法》投诉类工单办理时限 [unconfirmed]',
     '《交通运输服务监督电话（12328）管理办法》投诉类工单办理时限（待核实）'),
    ('DeadlineRule', 'citation', '国办发〔2020〕53号 优化地方政务服务便民热线指导意见；地方热线工单办理时限 [unconfirmed]',
     '国办发〔2020〕53号 优化地方政务服务便民热线指导意见；地方热线工单办理时限（待核实）'),
    ('DeadlineRule', 'citation', '《信访工作条例》（2022）第三十二条：自受理之日起60日内办结 [unconfirmed article number]',
     '《信访工作条例》（2022）第三十二条：自受理之日起60日内办结（条款序号待核实）'),
    ('DeadlineRule', 'citation', '本机构网上投诉办理承诺时限（参照12328）[unconfirmed]',
     '本机构网上投诉办理承诺时限（参照12328，待核实）'),
    ('DeadlineRule', 'citation', '本机构舆情处置时限 [unconfirmed]',
     '本机构舆情处置时限（待核实）'),
    ('DeadlineRule', 'citation', '本机构投诉办理承诺时限（参照12328）[unconfirmed]',
     '本机构投诉办理承诺时限（参照12328，待核实）'),
]


def forwards(apps, schema_editor):
    for model, field, old, new in TEXTS:
        apps.get_model("complaints", model).objects.filter(**{field: old}).update(**{field: new})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_default_deadline_rules")]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deadlinerule",
            name="confirmed",
            field=models.BooleanField(default=False, help_text="依据尚未核实的时限仍按此计算，但页面标注“时限依据未核实”。",
                                      verbose_name="依据已核实"),
        ),
    ]
