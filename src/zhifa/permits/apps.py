from django.apps import AppConfig


class PermitsConfig(AppConfig):
    """行政许可 (permits): permit items, applications, time limits, certificates."""

    name = "zhifa.permits"
    label = "permits"
    verbose_name = "行政许可"
    nav = [
        ("许可申请", "permits:list", None),
        ("窗口统计", "permits:statistics", None),
        ("许可事项", "permits:items", None),
    ]
    nav_group = "行政许可"
