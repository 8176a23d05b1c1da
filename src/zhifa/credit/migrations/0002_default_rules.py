"""Default law-as-data for credit: the first grading rule set with its per-grade policies, and the two national
credit-repair regimes with their publication periods (legal-reference §8). Administrators edit or add versions."""

from datetime import date

from django.db import migrations

POLICIES = [
    # grade, supervision frequency, draw weight (low grades are inspected more often)
    ("AA", "原则上每年抽查不超过1次，可免于专项检查", "0.50"),
    ("A", "每年抽查1次", "0.80"),
    ("B", "每半年抽查1次", "1.00"),
    ("C", "每季度检查1次，列入重点监管", "2.00"),
    ("D", "每月检查1次，列入重点监管并约谈", "3.00"),
]

PERIODS = [
    # regime, severity, special field, min months, max months, published, note
    ("ndrc2023", "any", False, 3, 36, True, "行政处罚信息最短公示期三个月、最长三年"),
    ("ndrc2023", "any", True, 12, 36, True, "特种设备、安全生产、消防等领域最短公示期一年"),
    ("ndrc2026", "minor", False, 0, 3, False, "轻微失信信息原则上不公示，公示期不超过三个月"),
    ("ndrc2026", "general", False, 3, 12, True, "一般失信信息最短三个月、最长一年"),
    ("ndrc2026", "serious", False, 12, 36, True, "严重失信信息最短一年、最长三年"),
]


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("credit", "CreditRuleSet")
    Policy = apps.get_model("credit", "GradePolicy")
    Regime = apps.get_model("credit", "RepairRegime")
    Period = apps.get_model("credit", "RepairPeriod")
    rs, _ = RuleSet.objects.get_or_create(version="2020-v1", defaults=dict(
        effective_from=date(2020, 1, 1),
        citation="交通运输部道路运输企业信用评价做法；分数段按本省规定；一年内受到行政处罚3起以上的降一级（地方做法，待核实）"))
    for grade, freq, weight in POLICIES:
        Policy.objects.get_or_create(rule_set=rs, grade=grade, defaults=dict(frequency=freq, sampling_weight=weight))
    regimes = {
        "ndrc2023": ("《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令2023年第58号）", date(2023, 5, 1)),
        "ndrc2026": ("《信用修复管理办法》（国家发展改革委）", date(2026, 4, 1)),
    }
    objs = {}
    for code, (name, start) in regimes.items():
        objs[code], _ = Regime.objects.get_or_create(code=code, defaults=dict(name=name, effective_from=start, citation=name))
    for code, sev, special, lo, hi, pub, note in PERIODS:
        Period.objects.get_or_create(regime=objs[code], severity=sev, special_field=special,
                                     defaults=dict(min_months=lo, max_months=hi, published=pub, note=note))


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
