"""Default law-as-data for random inspection: the rules that raise a target's draw weight and the result
publication deadline ([unconfirmed] 20 working days, legal-reference §7)."""

from datetime import date

from django.db import migrations

RULES = [
    ("complaints", 3, "1.50", "地方做法：投诉多的企业提高抽查比例"),
    ("penalties", 3, "1.50", "地方做法：一年内受到行政处罚3起以上的企业提高抽查比例"),
    ("dishonest", 1, "3.00", "国办发〔2019〕35号：严重失信主体列为重点监管对象"),
    ("key_unit", 1, "2.00", "《超限运输车辆行驶公路管理规定》第28–32条：重点货运源头单位"),
]


def forwards(apps, schema_editor):
    SamplingRule = apps.get_model("inspections", "SamplingRule")
    PublicationRule = apps.get_model("inspections", "PublicationRule")
    for kind, threshold, mult, citation in RULES:
        SamplingRule.objects.get_or_create(kind=kind, effective_from=date(2020, 1, 1),
                                           defaults=dict(threshold=threshold, multiplier=mult, citation=citation))
    PublicationRule.objects.get_or_create(effective_from=date(2020, 1, 1), defaults=dict(
        working_days=20, confirmed=False, citation="抽查结果自检查结束之日起20个工作日内公示（通行做法，待核实）"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
