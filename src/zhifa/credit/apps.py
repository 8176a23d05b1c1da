from django.apps import AppConfig


class CreditConfig(AppConfig):
    """信用监管 (credit)."""

    name = "zhifa.credit"
    label = "credit"
    verbose_name = "信用监管"
    nav: list = []
