"""History steps of mediations (core.workflow.AbstractStep). Moves made before this migration stay in the full-process
record; their steps start here."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0004_complaint_step_workflow_step'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MediationStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='动作')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=20, verbose_name='新状态')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='说明')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('mediation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='complaints.mediation', verbose_name='调解')),
            ],
            options={
                'verbose_name': '调解办理步骤',
                'verbose_name_plural': '调解办理步骤',
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
    ]
