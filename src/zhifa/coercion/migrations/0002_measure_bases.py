"""The measure kinds a transport authority takes, with their legal basis (行政强制法 Arts. 9, 10). None of these
provisions is in the project's legal reference yet, so they ship unconfirmed: the administrator checks the article
numbers against the current text and marks them confirmed."""

from datetime import date

from django.db import migrations

BASES = [
    ("seize_vehicle_road_damage", "扣留造成公路、公路附属设施损坏且拒不接受现场调查处理的车辆、工具", "seize",
     "《公路安全保护条例》第七十二条第一款", "扣留车辆、工具的，当场出具凭证，告知当事人在规定期限内接受处理。"),
    ("seize_vehicle_no_certificate", "暂扣没有车辆营运证又无法当场提供其他有效证明的车辆", "seize",
     "《中华人民共和国道路运输条例》（暂扣车辆条款；2012年文本第六十三条，现行文本条文序号待核实）", ""),
    ("seize_dangerous_goods", "扣押违法运输的危险化学品", "seize",
     "《危险化学品安全管理条例》第七条第一款第（四）项", ""),
    ("seal_unsafe_equipment", "查封不符合保障安全生产的国家标准或者行业标准的设施、设备、器材", "seal",
     "《中华人民共和国安全生产法》第六十五条第一款第（四）项", ""),
]


def load(apps, schema_editor):
    MeasureBasis = apps.get_model("coercion", "MeasureBasis")
    for code, name, kind, basis, note in BASES:
        MeasureBasis.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "legal_basis": basis, "period_days": 30, "max_extension_days": 30,
            "effective_from": date(2012, 1, 1), "confirmed": False, "note": note})


class Migration(migrations.Migration):
    dependencies = [("coercion", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
