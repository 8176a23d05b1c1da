"""The reference data the processes keep in memory (``zhifa.core.versions``) and its version tokens: the row of each
key and the triggers that change its token, in the same transaction, on every write to the tables it is read from
(the legal calendar, users' roles, the organisation tree). The procedure periods are tracked by cases/0020."""

from django.db import migrations, models

from zhifa.core.versions import track

# key → the tables its data is read from (core.tests.test_versions checks the readers against these).
TRACKED = {
    "calendar": ("core_calendarday", "core_calendaryear"),
    "roles": ("auth_group", "core_user_groups"),
    "organisations": ("core_organisation",),
}


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0008_number_counter"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("key", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="数据")),
                ("token", models.CharField(max_length=32, verbose_name="版本标记")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="变更时间")),
            ],
            options={
                "verbose_name": "参考数据版本标记",
                "verbose_name_plural": "参考数据版本标记",
            },
        ),
        *[track(key, tables) for key, tables in TRACKED.items()],
    ]
