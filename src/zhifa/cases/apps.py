from django.apps import AppConfig


class CasesConfig(AppConfig):
    """案件办理 (cases)."""

    name = "zhifa.cases"
    label = "cases"
    verbose_name = "案件办理"
    nav: list = []
