"""Default complaint deadlines per channel. Sources not in legal-reference are marked 待核实 (data, editable
by an administrator in the admin)."""

from datetime import date

from django.db import migrations

RULES = [
    # (channel, days, working days, instant minutes, citation, confirmed)
    ("12328", 5, True, 30, "《交通运输服务监督电话（12328）管理办法》投诉类工单办理时限（待核实）", False),
    ("12345", 5, True, 30, "国办发〔2020〕53号 优化地方政务服务便民热线指导意见；地方热线工单办理时限（待核实）", False),
    ("petition", 60, False, 30, "《信访工作条例》（2022）第三十二条：自受理之日起60日内办结（条款序号待核实）", False),
    ("online", 5, True, 30, "本机构网上投诉办理承诺时限（参照12328，待核实）", False),
    ("media", 3, True, 60, "本机构舆情处置时限（待核实）", False),
    ("walk_in", 5, True, 30, "本机构投诉办理承诺时限（参照12328，待核实）", False),
]


def forwards(apps, schema_editor):
    DeadlineRule = apps.get_model("complaints", "DeadlineRule")
    for channel, days, working, instant, citation, confirmed in RULES:
        DeadlineRule.objects.get_or_create(channel=channel, effective_from=date(2020, 1, 1), defaults=dict(
            days=days, working_days=working, instant_minutes=instant, citation=citation, confirmed=confirmed))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
