from django.apps import AppConfig

from zhifa.core.roles import Role

HANDLERS = [Role.OFFICER, Role.HEAD, Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN]


class CoercionConfig(AppConfig):
    """行政强制 (coercion): the register of administrative coercive measures (查封、扣押) tied to cases."""

    name = "zhifa.coercion"
    label = "coercion"
    verbose_name = "行政强制"
    nav_group = "案件办理"
    nav = [
        ("行政强制措施", "coercion:list", HANDLERS, ("officer",)),
        ("实施行政强制措施", "coercion:new", [Role.OFFICER], ("officer",)),
        # The head's approvals (行政强制法 Art. 18 item 1; Art. 19: a measure taken on the spot is approved afterwards).
        ("待批准强制措施", "coercion:list?status=applied", [Role.HEAD], ("head",)),
        ("待补办批准强制措施", "coercion:list?status=reported", [Role.HEAD], ("head",)),
    ]

    def ready(self):
        from django.conf import settings

        # The daily job flagging measures past their period (行政强制法 Art. 25) or unreported emergencies (Art. 19).
        settings.CELERY_BEAT_SCHEDULE.setdefault("coercion-flag-overdue-daily", {"task": "coercion.flag_overdue", "schedule": 24 * 3600})
