"""Background jobs of the cases app: the daily flagging of overdue statutory clocks."""

import logging

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar

from . import clocks
from .models import Case, ClockFlag
from .workflow import OPEN_STATES

log = logging.getLogger(__name__)


def flag_overdue(today=None) -> int:
    """Record every overdue running clock once (per case, clock and due date) in the full-process record.
    Idempotent: running it twice a day flags nothing new."""
    today = today or timezone.localdate()
    cal = legal_calendar.calendar()
    flagged = 0
    qs = Case.objects.filter(status__in=OPEN_STATES).select_related("organisation").prefetch_related("suspensions", "extensions")
    for case in qs.iterator(chunk_size=500):
        for clock in clocks.running(case, cal=cal, today=today):
            if clock.state(today) != "red":
                continue
            try:
                with transaction.atomic():
                    ClockFlag.objects.create(case=case, clock=clock.key, due_on=clock.deadline.date)
                    audit.record(actor=None, action="case.clock_overdue", subject=case, organisation=case.organisation,
                                 summary=f"{clock.label}已于{clock.deadline.date}届满（{clock.basis}），案件{case.number}超期")
            except IntegrityError:
                continue
            flagged += 1
    return flagged


@shared_task(name="cases.flag_overdue")
def flag_overdue_task() -> dict:
    count = flag_overdue()
    if count:
        log.warning("cases: %s overdue statutory clocks flagged", count)
    return {"flagged": count}
