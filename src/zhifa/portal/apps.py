from django.apps import AppConfig
from django.conf import settings


class PortalConfig(AppConfig):
    """公开门户 (portal): the public site, publication rules and de-identification, the 双公示 export."""

    name = "zhifa.portal"
    label = "portal"
    verbose_name = "公开门户"
    nav = [
        ("公开信息", "portal:office_list", None),
        ("双公示导出", "portal:export", ("officer", "head", "admin", "supervisor")),
        ("公开门户", "portal:home", None),
    ]
    nav_group = "政务公开"

    def ready(self):
        # The daily publication run (国办发〔2018〕118号 deadlines are counted in working days from the decision).
        settings.CELERY_BEAT_SCHEDULE.setdefault("portal-publication-daily", {"task": "portal.publication_run", "schedule": 24 * 3600})
