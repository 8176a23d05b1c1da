from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """罚缴分离 (payments): payment notices, callbacks, surcharges, instalments."""

    name = "zhifa.payments"
    label = "payments"
    verbose_name = "罚没款缴纳"
    nav = [("罚没款缴纳", "payments:list", ("officer", "head", "supervisor", "admin"))]
    nav_group = "案件执行"

    def ready(self):
        from django.conf import settings

        # the daily overdue flag (settings.CELERY_BEAT_SCHEDULE: apps add theirs here)
        settings.CELERY_BEAT_SCHEDULE.setdefault("payments-flag-overdue", {"task": "payments.flag_overdue", "schedule": 24 * 3600})
