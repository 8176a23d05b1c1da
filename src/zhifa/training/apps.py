from django.apps import AppConfig

from zhifa.core.roles import Role

ALL = [Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR]


class TrainingConfig(AppConfig):
    """执法队伍 (training): training hours, exams, equipment, social supervisors, certificate alerts."""

    name = "zhifa.training"
    label = "training"
    verbose_name = "执法队伍"
    nav_group = "执法队伍"
    nav = [
        ("培训学时", "training:hours", ALL),
        ("培训", "training:list events", ALL),
        ("考试", "training:list exams", ALL),
        ("执法证年审", "training:list reviews", [Role.HEAD, Role.ADMIN, Role.SUPERVISOR]),
        ("执法装备", "training:list equipment", ALL),
        ("社会义务监督员", "training:list supervisors", ALL),
        ("监督员意见", "training:list feedback", ALL),
    ]
