from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """投诉与服务 (complaints)."""

    name = "zhifa.complaints"
    label = "complaints"
    verbose_name = "投诉与服务"
    nav: list = []
