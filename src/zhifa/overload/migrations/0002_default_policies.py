"""Ship the default screening policy and tolerance versions (legal-reference §6: no national figure is confirmed;
the values follow the in-service error of JJG 907 accuracy classes and are replaced by the province's own)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CITATION = "[待确认] JJG 907《动态公路车辆自动衡器》使用中最大允许误差；国家未统一规定扣除标准，以本省规定为准"


def forwards(apps, schema_editor):
    TolerancePolicy = apps.get_model("overload", "TolerancePolicy")
    ScreeningPolicy = apps.get_model("overload", "ScreeningPolicy")
    for klass, percent in ((2, "2.00"), (5, "5.00"), (10, "10.00")):
        TolerancePolicy.objects.get_or_create(accuracy_class=klass, effective_from=date(2016, 9, 21),
                                              defaults={"percent": Decimal(percent), "citation": CITATION})
    ScreeningPolicy.objects.get_or_create(
        effective_from=date(2016, 9, 21),
        defaults={"min_speed_kmh": Decimal("5"), "max_speed_kmh": Decimal("100"), "merge_window_hours": 24,
                  "citation": "行政处罚法第二十九条（一事不再罚）；有效车速范围 [待确认] 按设备检定证书"})
    FourPenaltyPolicy = apps.get_model("overload", "FourPenaltyPolicy")
    FourPenaltyPolicy.objects.get_or_create(
        effective_from=date(2011, 7, 1),
        defaults={"window_months": 12, "vehicle_max": 3, "driver_max": 3, "company_share_percent": Decimal("10"), "source_min": 3,
                  "near_margin": 1, "citation": "《公路安全保护条例》第六十六条、第六十八条；交办公路〔2017〕8号"})


class Migration(migrations.Migration):
    dependencies = [("overload", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
