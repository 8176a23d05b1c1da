"""Seeded citations in the reader's words: "待核实" instead of "[unconfirmed]", no pointers to the project's own
legal reference or seed files (issue 18). Only rows still holding the shipped text are rewritten; edited rows are kept."""

from django.db import migrations

TEXTS = [
    ('HoursRequirement', 'citation', '交通运输综合行政执法队伍素质能力提升行动方案：执法人员每人每年参加业务和法律培训不少于60学时 [unconfirmed]',
     '交通运输综合行政执法队伍素质能力提升行动方案：执法人员每人每年参加业务和法律培训不少于60学时（待核实）'),
]


def forwards(apps, schema_editor):
    for model, field, old, new in TEXTS:
        apps.get_model("training", model).objects.filter(**{field: old}).update(**{field: new})


class Migration(migrations.Migration):
    dependencies = [("training", "0002_default_requirement")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
