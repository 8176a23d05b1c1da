"""The recognition standards of the overload serious-dishonesty list as data (交办公路〔2017〕8号, legal-reference
§5) and the move of existing entries onto the procedure: the old free-text sources become choices and an entry
that was listed in one step (no prior notice, no decision document) is marked as such, with the default term."""

import calendar
from datetime import date

from django.db import migrations

JOINT = "列为重点监管对象，提高抽查比例和频次；限制参与政府采购和招标投标；限制享受行政审批便利措施；通过“信用中国”等网站公示。"
BASIS = "交办公路〔2017〕8号"
CATEGORIES = [
    # code, name, basis, criteria
    ("overload_vehicle", "超限运输车辆严重失信", f"《公路安全保护条例》第六十六条；{BASIS}",
     "货运车辆一年内违法超限运输超过3次"),
    ("overload_driver", "超限运输驾驶人严重失信", f"《公路安全保护条例》第六十六条；{BASIS}",
     "货运车辆驾驶人一年内违法超限运输超过3次"),
    ("overload_company", "超限运输企业严重失信", f"《公路安全保护条例》第六十六条；{BASIS}",
     "道路运输企业一年内违法超限运输的货运车辆超过本单位货运车辆总数10%，被责令停业整顿"),
    ("overload_source", "货运源头单位超限装载严重失信", f"《公路安全保护条例》第六十八条；{BASIS}",
     "货运源头单位指使、强令车辆驾驶人超限运输货物，被处2万元以上罚款或一年内受到3次以上行政处罚"),
    ("overload_resist", "抗拒超限检测严重失信", BASIS,
     "以暴力、威胁等方式抗拒、阻碍超限检测，或骗取超限运输许可"),
]


def _plus_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def forwards(apps, schema_editor):
    Category = apps.get_model("credit", "DishonestyCategory")
    Entry = apps.get_model("credit", "DishonestyEntry")
    for code, name, basis, criteria in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults=dict(name=name, basis=basis, criteria=criteria, joint_punishment=JOINT,
                                                                effective_from=date(2017, 1, 1)))
    for entry in Entry.objects.all():
        entry.source = "legacy"
        entry.proposed_on = entry.listed_on
        if entry.listed_on:
            entry.decided_on = entry.listed_on
            entry.expires_on = _plus_months(entry.listed_on, 36)
        if entry.status == "removed":
            entry.removal_kind = "repair"
        entry.save()


class Migration(migrations.Migration):
    dependencies = [("credit", "0005_dishonesty_procedure")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
