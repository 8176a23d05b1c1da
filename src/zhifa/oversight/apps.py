from django.apps import AppConfig


class OversightConfig(AppConfig):
    """内部监督 (oversight)."""

    name = "zhifa.oversight"
    label = "oversight"
    verbose_name = "内部监督"
    nav: list = []
