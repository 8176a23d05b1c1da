"""Background jobs of the cases app: the daily flagging of overdue statutory clocks."""

import logging

from celery import shared_task
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.core import audit, legal_calendar

from . import clocks
from .models import Case, ClockFlag
from .workflow import OPEN_STATES

log = logging.getLogger(__name__)


def flag_overdue(today=None) -> int:
    """Record every overdue running clock once (per case, clock and due date) in the full-process record, and tell
    the case's officers when a clock turns amber (due within rules.AMBER_DAYS) or red.
    Idempotent: running it twice a day flags and notifies nothing new."""
    today = today or timezone.localdate()
    cal = legal_calendar.calendar()
    flagged = 0
    qs = (Case.objects.filter(status__in=OPEN_STATES).select_related("organisation", "party", "registered_by")
          .prefetch_related("suspensions", "extensions", "officers__user"))
    for case in qs.iterator(chunk_size=500):
        for clock in clocks.running(case, cal=cal, today=today):
            state = clock.state(today)
            if state in ("amber", "red"):
                _notify_clock(case, clock, state)
            if state != "red":
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


def _notify_clock(case, clock, state: str) -> None:
    from zhifa.notifications.services import notify

    users = [o.user for o in case.officers.all() if o.user_id]
    if not users and case.registered_by_id:
        users = [case.registered_by]
    due = clock.deadline.date
    when = f"已于{due:%Y年%m月%d日}届满" if state == "red" else f"将于{due:%Y年%m月%d日}届满"
    with transaction.atomic():
        notify(kind=f"clock_{state}", event=f"case:{case.pk}:{clock.key}:{due}", users=users, subject=case, organisation=case.organisation,
               title=f"{case.number}：{clock.label}{'已届满' if state == 'red' else '即将届满'}",
               body=f"案件{case.number}（{case.party.name}）的{clock.label}{when}（{clock.basis}）。",
               url=reverse("cases:detail", args=[case.pk]))


@shared_task(name="cases.flag_overdue")
def flag_overdue_task() -> dict:
    count = flag_overdue()
    if count:
        log.warning("cases: %s overdue statutory clocks flagged", count)
    return {"flagged": count}
