"""Background job of the coercion app: the daily flagging of measures past their period (行政强制法 Art. 25, to be
released under Art. 28(四)) and of emergency measures not reported within 24 hours (Art. 19)."""

import logging

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit

from . import periods
from .models import Measure, MeasureFlag
from .workflow import RUNNING

log = logging.getLogger(__name__)


def flag_overdue(today=None, now=None) -> int:
    """Record every overdue running measure once (per measure, kind and due date) in the full-process record.
    Idempotent: running it twice flags nothing new. It flags, never releases: release is the head's decision."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    flagged = 0
    qs = Measure.objects.filter(status__in=RUNNING).select_related("organisation").prefetch_related("pauses")
    for measure in qs.iterator(chunk_size=500):
        period = periods.current(measure, today=today, now=now)
        if period.state != "red":
            continue
        due = timezone.localtime(period.due).date() if period.key == "emergency_report" else period.due
        text = (f"{measure.number}当场实施后未在二十四小时内报告负责人（行政强制法第十九条），应当解除" if period.key == "emergency_report"
                else f"{measure.number}的{measure.get_kind_display()}期限已于{due:%Y-%m-%d}届满（行政强制法第二十五条），应当解除或依决定处理")
        try:
            with transaction.atomic():
                MeasureFlag.objects.create(measure=measure, kind=period.key, due_on=due)
                audit.record(actor=None, action="coercion.overdue", subject=measure, organisation=measure.organisation, summary=text)
        except IntegrityError:
            continue
        flagged += 1
    return flagged


@shared_task(name="coercion.flag_overdue")
def flag_overdue_task() -> dict:
    count = flag_overdue()
    if count:
        log.warning("coercion: %s overdue coercive measures flagged", count)
    return {"flagged": count}
