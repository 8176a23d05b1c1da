from django.apps import AppConfig


class CasesConfig(AppConfig):
    """案件办理 (cases): ordinary and simplified procedure, statutory clocks, evidence, decisions."""

    name = "zhifa.cases"
    label = "cases"
    verbose_name = "案件办理"
    nav = [
        ("我的案件", "cases:mine", ("officer", "head", "reviewer"), ("officer",)),
        # The queues of the reviewer (行政处罚法 Art. 58) and the head (Arts. 54, 57): filtered case lists.
        ("待法制审核", "cases:list?status=legal_review", ("reviewer",), ("reviewer",)),
        ("待审批立案", "cases:list?status=lead", ("head",), ("head",)),
        ("待审查调查终结报告", "cases:list?status=investigated", ("head",), ("head",)),
        ("案件列表", "cases:list", None, ("supervisor",)),
        ("期限预警", "cases:at_risk", None, ("officer", "head")),
        ("登记线索", "cases:lead_new", ("officer", "head"), ("officer",)),
        ("简易程序", "cases:simplified_new", ("officer",), ("officer",)),
        ("批量告知（违法行为通知书）", "cases:bulk_notify", ("officer",)),
    ]
    nav_group = "案件办理"

    def ready(self):
        from django.conf import settings

        from . import signals  # noqa: F401 — keeps Case.clock_due_on true (docs/performance.md)

        # The daily job that flags overdue statutory clocks (行政处罚法 Art. 60, 61, 64, 67).
        settings.CELERY_BEAT_SCHEDULE.setdefault("cases-flag-overdue-daily", {"task": "cases.flag_overdue", "schedule": 24 * 3600})
        # Papers not made (a lost task, a failed render): tried again every 10 minutes (tasks.retry_documents).
        settings.CELERY_BEAT_SCHEDULE.setdefault("cases-retry-documents", {"task": "cases.retry_documents", "schedule": 600})

        # A paid notice moves its case to 执行完毕: the case-facing part of payments lives here, in one direction.
        from zhifa.payments.services import on_notice_paid

        from .execution import on_fine_paid

        on_notice_paid(on_fine_paid)
