from django.apps import AppConfig


class CasesConfig(AppConfig):
    """案件办理 (cases): ordinary and simplified procedure, statutory clocks, evidence, decisions."""

    name = "zhifa.cases"
    label = "cases"
    verbose_name = "案件办理"
    nav = [
        ("我的案件", "cases:mine", ("officer", "head", "reviewer")),
        ("案件列表", "cases:list", None),
        ("期限预警", "cases:at_risk", None),
        ("登记线索", "cases:lead_new", ("officer", "head")),
        ("简易程序", "cases:simplified_new", ("officer",)),
    ]
    nav_group = "案件办理"

    def ready(self):
        from django.conf import settings

        # The daily job that flags overdue statutory clocks (行政处罚法 Art. 60, 61, 64, 67).
        settings.CELERY_BEAT_SCHEDULE.setdefault("cases-flag-overdue-daily", {"task": "cases.flag_overdue", "schedule": 24 * 3600})
