"""Background jobs: the drain (after each enqueue and every minute for retries that fall due), the daily
reconciliation per target and the daily download of other units' overload violations from the 四级联网."""

from celery import shared_task
from django.utils import timezone

from . import outbox, services


@shared_task(name="integrations.drain")
def drain(target: str | None = None) -> dict:
    """Deliver what is due (idempotent: a message is claimed by one worker, a delivered one is never sent again)."""
    return outbox.drain_all(target=target)


@shared_task(name="integrations.reconcile_daily")
def reconcile_daily(day: str | None = None) -> dict:
    from datetime import date, timedelta

    on = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return {r.target: len(r.differences) for r in services.reconcile(day=on)}


@shared_task(name="integrations.overload_net_daily")
def overload_net_daily(day: str | None = None) -> dict:
    """The 四级联网 download of the vehicles and drivers caught the day before (overload_net.download_daily)."""
    from datetime import date

    from . import overload_net

    return overload_net.download_daily(day=date.fromisoformat(day) if day else None)
