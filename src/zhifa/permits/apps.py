from django.apps import AppConfig


class PermitsConfig(AppConfig):
    """行政许可 (permits): permit items, applications, time limits, certificates."""

    name = "zhifa.permits"
    label = "permits"
    verbose_name = "行政许可"
    nav: list = []
