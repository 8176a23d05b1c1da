from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    """双随机与预警 (inspections)."""

    name = "zhifa.inspections"
    label = "inspections"
    verbose_name = "双随机与预警"
    nav: list = []
