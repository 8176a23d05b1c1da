"""Publication deadlines and de-identification rules as data (国办发〔2018〕118号; 行政处罚法 Art. 48)."""

from datetime import date

from django.db import migrations

DEADLINES = [
    ("penalty", 7, "国办发〔2018〕118号：行政处罚决定自作出之日起7个工作日内公开"),
    ("permit", 7, "国办发〔2018〕118号：行政许可决定自作出之日起7个工作日内公开"),
    ("other", 20, "国办发〔2018〕118号：其他执法决定自作出之日起20个工作日内公开"),
]

RULES = [
    # name, kind, pattern, replacement, order
    ("居民身份证号码", "regex", r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])", "（身份证号已删除）", 10),
    ("15位身份证号码", "regex", r"(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])", "（身份证号已删除）", 11),
    ("手机号码", "regex", r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)", "（电话已删除）", 20),
    ("固定电话", "regex", r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)", "（电话已删除）", 21),
    ("住址", "regex", r"(?:住址|家庭住址|现住址|户籍地|住所地|住所)[:：为在]?[^，。；,;\s]{2,40}", "住址（已删除）", 30),
    ("银行账号", "flag", r"(?<!\d)\d{16,19}(?!\d)", "", 40),
    ("疑似门牌地址", "flag", r"[\u4e00-\u9fa5]{2,}(?:路|街|巷|村|组)\d{1,4}号", "", 41),
    ("健康与未成年人信息", "flag", r"未成年|病历|残疾|精神疾病", "", 42),
]


def load(apps, schema_editor):
    Rule = apps.get_model("portal", "PublicationRule")
    for kind, days, citation in DEADLINES:
        Rule.objects.update_or_create(kind=kind, effective_from=date(2019, 1, 1), defaults={"working_days": days, "citation": citation})
    Deident = apps.get_model("portal", "DeidentRule")
    for name, kind, pattern, replacement, order in RULES:
        Deident.objects.update_or_create(name=name, defaults={"kind": kind, "pattern": pattern, "replacement": replacement, "order": order})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
