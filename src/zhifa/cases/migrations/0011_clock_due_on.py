"""Case.clock_due_on: the nearest running statutory deadline, indexed for the at-risk list and the dashboard
(docs/performance.md); filled here for the cases already registered."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    # The clocks are computed by the application's own code (the legal calendar, suspensions, extensions, procedure
    # periods); it loads only the fields the clocks read (clocks.DUE_FIELDS), which exist at this migration.
    if not apps.get_model("cases", "Case").objects.exists():
        return
    from zhifa.cases.clocks import refresh_due_all

    refresh_due_all()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_execution_acts'),
        ('core', '0007_event_key'),
        ('discretion', '0004_art9_kinds_list_commitment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='clock_due_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='最近法定期限'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('clock_due_on__isnull', False)), fields=['organisation', 'clock_due_on', 'id'], include=['registered_by'], name='case_clock_due_idx'),
        ),
        # Elidable: it only converts rows already in this app's tables (none are shipped), and where
        # the squashed migration creates those tables they are empty.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
