from django.apps import AppConfig
from django.conf import settings


class IntegrationsConfig(AppConfig):
    """对外接口 (integrations): the transactional outbox, one adapter per platform the bureau reports to, inbound
    work orders, the delivery console and the daily reconciliation (issue 20)."""

    name = "zhifa.integrations"
    label = "integrations"
    verbose_name = "对外接口"
    nav = [
        ("接口报送", "integrations:console", ("admin", "supervisor"), ("admin",)),
        ("报送对账", "integrations:reconciliations", ("admin", "supervisor")),
    ]
    nav_group = "系统管理"

    def ready(self):
        # Retries fall due while nobody acts: the drain runs every minute; reconciliation once a day; the 四级联网
        # download of the vehicles and drivers caught the day before, once a day (docs/integrations/overload-net.md).
        settings.CELERY_BEAT_SCHEDULE.setdefault("integrations-drain", {"task": "integrations.drain", "schedule": 60})
        settings.CELERY_BEAT_SCHEDULE.setdefault("integrations-reconcile", {"task": "integrations.reconcile_daily",
                                                                           "schedule": 24 * 3600})
        settings.CELERY_BEAT_SCHEDULE.setdefault("integrations-overload-net-daily",
                                                 {"task": "integrations.overload_net_daily", "schedule": 24 * 3600})
