from django.apps import AppConfig


class CreditConfig(AppConfig):
    """信用监管 (credit)."""

    name = "zhifa.credit"
    label = "credit"
    verbose_name = "信用监管"
    nav = [
        ("信用等级", "credit:grades", None),
        ("严重失信名单", "credit:dishonesty", None, ("head",)),
        ("失信信息公示", "credit:publications", None),
        ("信用修复", "credit:repairs", None),
    ]
    nav_group = "信用监管"

    def ready(self):
        from django.conf import settings

        # Nightly regrade (events leave the scoring window; cases decided elsewhere count at once).
        settings.CELERY_BEAT_SCHEDULE.setdefault("credit-regrade-daily", {"task": "credit.regrade_all", "schedule": 24 * 3600})
