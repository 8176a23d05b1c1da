"""History steps of the inspections workflows (core.workflow.AbstractStep): plans, inspections, provincial warnings and
leads. Moves made before this migration stay in the full-process record; their steps start here."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0004_warning_notice_number'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InspectionStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='动作')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=20, verbose_name='新状态')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='说明')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('inspection', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='inspections.inspection', verbose_name='检查记录')),
            ],
            options={
                'verbose_name': '检查记录流转记录',
                'verbose_name_plural': '检查记录流转记录',
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='LeadStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='动作')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=20, verbose_name='新状态')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='说明')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='inspections.lead', verbose_name='案件线索')),
            ],
            options={
                'verbose_name': '案件线索流转记录',
                'verbose_name_plural': '案件线索流转记录',
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='PlanStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='动作')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=20, verbose_name='新状态')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='说明')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='inspections.plan', verbose_name='抽查计划')),
            ],
            options={
                'verbose_name': '抽查计划流转记录',
                'verbose_name_plural': '抽查计划流转记录',
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='WarningStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='动作')),
                ('from_status', models.CharField(blank=True, max_length=20, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=20, verbose_name='新状态')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='说明')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('warning', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='inspections.provincialwarning', verbose_name='预警抄告')),
            ],
            options={
                'verbose_name': '预警抄告流转记录',
                'verbose_name_plural': '预警抄告流转记录',
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
    ]
