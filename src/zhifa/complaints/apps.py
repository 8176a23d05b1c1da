from django.apps import AppConfig

from zhifa.core.roles import Role

HANDLERS = [Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR]


class ComplaintsConfig(AppConfig):
    """投诉与服务 (complaints): 12328/12345 complaints, mediation, the soft-enforcement ledger."""

    name = "zhifa.complaints"
    label = "complaints"
    verbose_name = "投诉与服务"
    nav_group = "投诉与服务"
    nav = [
        ("投诉举报", "complaints:list complaints", HANDLERS, ("officer",)),
        ("导入热线工单", "complaints:import", [Role.OFFICER, Role.HEAD, Role.ADMIN]),
        ("批量分派工单", "complaints:bulk_assign", [Role.OFFICER, Role.HEAD, Role.ADMIN], ("head",)),
        ("指标与分析", "complaints:analysis", HANDLERS),
        ("行政调解", "complaints:list mediations", HANDLERS),
        ("柔性执法台账", "complaints:list soft", HANDLERS),
        ("分派规则", "complaints:list routing", [Role.HEAD, Role.ADMIN]),
        ("办理时限", "complaints:list deadlines", [Role.HEAD, Role.ADMIN, Role.SUPERVISOR]),
    ]

    def ready(self):
        from django.conf import settings

        # Handlers hear of complaints due today or tomorrow that are not yet answered.
        settings.CELERY_BEAT_SCHEDULE.setdefault("complaints-notify-due-daily", {"task": "complaints.notify_due", "schedule": 24 * 3600})
