"""Seeded citations in the reader's words: "待核实" instead of "[unconfirmed]", no pointers to the project's own
legal reference or seed files (issue 18). Only rows still holding the shipped text are rewritten; edited rows are kept."""

from django.db import migrations

TEXTS = [
    ('CreditRuleSet', 'citation', '交通运输部道路运输企业信用评价做法；分数段为某省规定（legal-reference §8）；一年内处罚≥3起降级为睢县本地做法（种子004）',
     '交通运输部道路运输企业信用评价做法；分数段按本省规定；一年内受到行政处罚3起以上的降一级（地方做法，待核实）'),
]


def forwards(apps, schema_editor):
    for model, field, old, new in TEXTS:
        apps.get_model("credit", model).objects.filter(**{field: old}).update(**{field: new})


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_default_rules")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
