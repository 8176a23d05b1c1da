from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """消息通知 (notifications): the in-app inbox, e-mail and SMS to officers and parties, sent through the task queue."""

    name = "zhifa.notifications"
    label = "notifications"
    verbose_name = "消息通知"
    nav_group = "消息"
    nav = [
        ("消息", "notifications:inbox", None, ("officer", "reviewer", "head", "supervisor", "admin")),
        ("通知设置", "notifications:preferences", None),
    ]
