from django.apps import AppConfig

from zhifa.core.roles import Role

ALL = [Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR]


class CampaignsConfig(AppConfig):
    """执法行动 (campaigns): joint enforcement with other departments, special campaigns, publicity events."""

    name = "zhifa.campaigns"
    label = "campaigns"
    verbose_name = "执法行动"
    nav_group = "执法行动"
    nav = [
        ("执法行动登记", "campaigns:list", ALL),
        ("合作部门目录", "campaigns:departments", ALL),
    ]
