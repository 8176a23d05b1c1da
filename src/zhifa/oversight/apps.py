from django.apps import AppConfig
from django.conf import settings


class OversightConfig(AppConfig):
    """内部监督 (oversight): case-file evaluation, problem list and supervision ledger, power list."""

    name = "zhifa.oversight"
    label = "oversight"
    verbose_name = "内部监督"
    nav = [
        ("问题清单", "oversight:problem_list", None, ("supervisor",)),
        ("挂牌督办台账", "oversight:listing_list", None, ("supervisor",)),
        ("案卷评查", "oversight:round_list", None, ("supervisor",)),
        ("案卷登记", "oversight:record_list", None, ("supervisor",)),
        ("权责清单", "oversight:power_list", None),
    ]
    nav_group = "内部监督"

    def ready(self):
        # Daily overdue scan of the problem list (see tasks.problem_overdue_scan).
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("oversight-problem-overdue-daily", {"task": "oversight.problem_overdue_scan", "schedule": 24 * 3600})
