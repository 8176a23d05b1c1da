"""ProblemStep becomes a workflow-kernel history step (core.workflow.AbstractStep): wider action and state columns;
existing rows are kept as they are (the note stays unbounded)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='problemstep',
            name='action',
            field=models.CharField(max_length=40, verbose_name='动作'),
        ),
        migrations.AlterField(
            model_name='problemstep',
            name='from_status',
            field=models.CharField(blank=True, max_length=20, verbose_name='原状态'),
        ),
        migrations.AlterField(
            model_name='problemstep',
            name='to_status',
            field=models.CharField(max_length=20, verbose_name='新状态'),
        ),
    ]
