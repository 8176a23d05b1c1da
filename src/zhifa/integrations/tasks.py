"""Background jobs: the drain (after each enqueue and every minute for retries that fall due) and the daily
reconciliation per target."""

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
