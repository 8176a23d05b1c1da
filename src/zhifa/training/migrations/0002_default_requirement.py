"""The default yearly training requirement (60 business and law hours per officer); the citation is unconfirmed data."""

from datetime import date
from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    HoursRequirement = apps.get_model("training", "HoursRequirement")
    HoursRequirement.objects.get_or_create(effective_from=date(2020, 1, 1), defaults=dict(
        min_hours=Decimal("60"), confirmed=False,
        citation="交通运输综合行政执法队伍素质能力提升行动方案：执法人员每人每年参加业务和法律培训不少于60学时（待核实）"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
