from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    """双随机与预警 (inspections)."""

    name = "zhifa.inspections"
    label = "inspections"
    verbose_name = "双随机与预警"
    nav = [
        ("双随机抽查", "inspections:plans", None),
        ("一单两库", "inspections:catalogue", None),
        ("预警抄告", "inspections:warnings", None, ("officer",)),
        ("案件线索", "inspections:leads", None),
    ]
    nav_group = "事中事后监管"

    def ready(self):
        from zhifa.core.history import register_value_labels

        from .models import SUBJECT_TYPES

        register_value_labels("target_types", SUBJECT_TYPES)
