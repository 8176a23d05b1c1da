"""Seeded citations in the reader's words: "待核实" instead of "[unconfirmed]", no pointers to the project's own
legal reference or seed files (issue 18). Only rows still holding the shipped text are rewritten; edited rows are kept."""

from django.db import migrations

TEXTS = [
    ('SamplingRule', 'citation', '种子002/004：投诉多的企业提高抽查比例',
     '地方做法：投诉多的企业提高抽查比例'),
    ('SamplingRule', 'citation', '种子004（睢县）：一年内处罚≥3起提高抽查比例',
     '地方做法：一年内受到行政处罚3起以上的企业提高抽查比例'),
    ('PublicationRule', 'citation', '抽查结果自检查结束之日起20个工作日内公示（未经核实的通行做法，legal-reference §7）',
     '抽查结果自检查结束之日起20个工作日内公示（通行做法，待核实）'),
]


def forwards(apps, schema_editor):
    for model, field, old, new in TEXTS:
        apps.get_model("inspections", model).objects.filter(**{field: old}).update(**{field: new})


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_default_rules")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
