"""Reads of payment notices within the user's jurisdiction."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.core.selectors import get_scoped, scope_by_ids

from .models import PaymentNotice

OPEN = [PaymentNotice.Status.UNPAID, PaymentNotice.Status.PARTLY_PAID]


def notices_for(user, *, status: str = "", search: str = "") -> QuerySet:
    # The units' ids first (scope_by_ids): joined on the organisation path, the planner assumed one unit where a city
    # has forty and read every open notice of the jurisdiction for the dashboard's six most overdue.
    qs = scope_by_ids(PaymentNotice.objects.select_related("case", "organisation"), user)
    if status == "overdue":
        qs = qs.filter(status__in=OPEN, overdue_on__isnull=False)
    elif status == "enforcement":
        qs = enforcement_candidates(qs)
    elif status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(code=search) | qs.filter(party_name__contains=search) | qs.filter(decision_number__contains=search)
    return qs


def notice_get(user, pk: int) -> PaymentNotice:
    return get_scoped(PaymentNotice.objects.select_related("case", "organisation"), user, pk=pk)


def enforcement_candidates(qs: QuerySet, today=None) -> QuerySet:
    """申请法院强制执行 candidates: unpaid, reminded, the reminder's ten days over (行政强制法 Art. 54, counted as
    working days by Art. 69, as ``enforcement.window`` counts them) and the party's litigation period (6 months
    from delivery) over (Art. 53; the exact dates on the legal calendar are shown per notice), not yet applied."""
    from zhifa.core import legal_calendar

    from .enforcement import REMINDER_DAYS, add_months

    today = today or timezone.localdate()
    # The latest delivery day of a 催告书 whose ten working days ended before today (the first day to apply is the
    # day after the tenth working day, ``enforcement.window``).
    cal = legal_calendar.calendar()
    reminded_by = today - timedelta(days=REMINDER_DAYS)
    while cal.add_working_days(reminded_by, REMINDER_DAYS).date >= today:
        reminded_by -= timedelta(days=1)
    return qs.filter(status__in=OPEN, reminded_on__isnull=False, enforcement_applied_on__isnull=True,
                     reminded_on__lte=reminded_by, delivered_on__lt=add_months(today, -6))
