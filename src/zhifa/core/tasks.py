"""Background jobs of the core: the daily verification of the full-process record and the signed checkpoints of
its head written outside the database (hourly by default, AUDIT_CHECKPOINT_INTERVAL)."""

import logging

from celery import shared_task

from . import audit

log = logging.getLogger(__name__)


@shared_task(name="core.audit_verify")
def audit_verify_task() -> dict:
    """Walk the event chain; log an error naming the first broken link (scheduled daily)."""
    result = audit.verify()
    if not result.ok:
        log.error("audit chain broken: %s", result.describe())
    return {"ok": result.ok, "checked": result.checked, "head_seq": result.head_seq, "broken_seq": result.broken_seq, "reason": result.reason,
            "problems": result.problems}


@shared_task(name="core.audit_checkpoint")
def audit_checkpoint_task() -> dict:
    """Sign the chain head and write it outside the database (scheduled: settings.AUDIT_CHECKPOINT_INTERVAL)."""
    data = audit.checkpoint_write()
    return {"seq": data["seq"], "hash": data["hash"], "path": data["path"]}


@shared_task(name="core.refresh_dashboard_cards")
def refresh_dashboard_cards(unit: str | None = None) -> int:
    """Compute the dashboard's jurisdiction figures off the web processes (core.cards): every unit looked at
    recently (beat, every DASHBOARD_REFRESH_SECONDS), or one unit after a user's act."""
    from . import cards

    return cards.refresh_units(unit=unit)
