from django.apps import AppConfig


class OverloadConfig(AppConfig):
    """超限超载治理 (overload)."""

    name = "zhifa.overload"
    label = "overload"
    verbose_name = "超限超载治理"
    nav: list = []
