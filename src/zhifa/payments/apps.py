from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """罚缴分离 (payments): payment notices, callbacks, surcharges, instalments."""

    name = "zhifa.payments"
    label = "payments"
    verbose_name = "罚没款缴纳"
    nav: list = []
