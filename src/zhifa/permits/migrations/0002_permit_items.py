"""The national default permit items of a county transport bureau (law as data; administrators edit them)."""

from datetime import date

from django.db import migrations

ITEMS = [
    # code, name, category, certificate, basis, statutory working days, committed, validity years
    ("XK-001", "道路货物运输经营许可", "普通", "道路运输经营许可证", "《中华人民共和国道路运输条例》第二十一条、第二十四条", 20, 5, 4),
    ("XK-002", "道路旅客运输经营许可", "普通", "道路运输经营许可证", "《中华人民共和国道路运输条例》第八条、第十一条", 20, 10, 4),
    ("XK-003", "道路危险货物运输许可", "普通", "道路运输经营许可证", "《中华人民共和国道路运输条例》第二十三条、第二十四条", 20, 10, 4),
    ("XK-004", "出租汽车经营许可", "特许", "道路运输经营许可证", "《国务院对确需保留的行政审批项目设定行政许可的决定》第112项", 20, 10, 4),
    ("XK-005", "超限运输车辆行驶公路许可", "普通", "超限运输车辆通行证", "《中华人民共和国公路法》第五十条；《公路安全保护条例》第三十五条", 20, 2, None),
    ("XK-006", "涉路施工许可", "普通", "", "《中华人民共和国公路法》第四十四条、第四十五条；《公路安全保护条例》第二十七条", 20, 10, None),
    ("XK-007", "道路运输从业人员从业资格", "认可", "道路运输从业人员从业资格证", "《中华人民共和国道路运输条例》第九条、第二十二条", 20, 5, 6),
    ("XK-008", "机动车驾驶员培训许可", "普通", "道路运输经营许可证", "《中华人民共和国道路运输条例》第三十八条、第三十九条", 20, 10, 4),
]


def load(apps, schema_editor):
    PermitItem = apps.get_model("permits", "PermitItem")
    for code, name, category, cert, basis, statutory, committed, years in ITEMS:
        PermitItem.objects.update_or_create(code=code, defaults=dict(
            name=name, category=category, certificate_name=cert, basis=basis, statutory_days=statutory,
            committed_days=committed, validity_years=years, effective_from=date(2020, 1, 1)))


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
