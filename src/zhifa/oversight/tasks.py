"""Background jobs of internal oversight: the daily overdue scan of the problem list."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="oversight.problem_overdue_scan")
def problem_overdue_scan() -> dict:
    """Alert (once each) the problems past their deadline and not rectified; idempotent (scheduled daily)."""
    flagged = services.overdue_scan()
    if flagged:
        log.warning("oversight: %d problems newly overdue: %s", len(flagged), ", ".join(p.number for p in flagged[:20]))
    return {"flagged": [p.number for p in flagged]}
