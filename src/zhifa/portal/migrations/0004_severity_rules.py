"""Default tiers (轻微/一般/严重) of penalty information by 处罚类别, for the publication periods of the 2026
《信用修复管理办法》 (minor ≤ 3 months and in principle not published, general ≤ 1 year, serious 1–3 years). The
national text does not say which penalty kind is which tier: this table is a local, unconfirmed default that an
administrator adjusts; the large-fine line follows the hearing threshold commonly set (legal-reference §2)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CITATION = "《信用修复管理办法》（2026年4月1日起施行）公示期限分档；行政处罚法第九条处罚种类；分档为本地默认，待核实"
ROWS = [
    # 处罚类别, party kind ("" any), fine at least, severity
    ("警告", "", None, "minor"),
    ("通报批评", "", None, "minor"),
    ("罚款", "", None, "general"),
    ("罚款", "person", Decimal("10000"), "serious"),
    ("罚款", "organisation", Decimal("100000"), "serious"),
    ("没收违法所得", "", None, "general"),
    ("没收非法财物", "", None, "general"),
    ("暂扣许可证件", "", None, "general"),
    ("降低资质等级", "", None, "serious"),
    ("吊销许可证件", "", None, "serious"),
    ("限制开展生产经营活动", "", None, "serious"),
    ("责令停产停业", "", None, "serious"),
    ("责令关闭", "", None, "serious"),
    ("限制从业", "", None, "serious"),
    ("行政拘留", "", None, "serious"),
    ("其他", "", None, "general"),
]


def load(apps, schema_editor):
    Rule = apps.get_model("portal", "SeverityRule")
    for category, party_kind, min_fine, severity in ROWS:
        Rule.objects.update_or_create(category=category, party_kind=party_kind, min_fine=min_fine, effective_from=date(2021, 7, 15),
                                      defaults={"severity": severity, "citation": CITATION})


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_one_pipeline")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
