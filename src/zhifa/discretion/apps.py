from django.apps import AppConfig


class DiscretionConfig(AppConfig):
    """裁量基准 (discretion)."""

    name = "zhifa.discretion"
    label = "discretion"
    verbose_name = "裁量基准"
    nav: list = []
