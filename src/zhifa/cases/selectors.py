"""Reads of cases, always within the user's jurisdiction (core.selectors.scope): lists with filters, the at-risk
lists per user and per agency, and one case (404 outside the jurisdiction)."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.selectors import get_scoped, scope

from . import clocks
from .models import Case
from .workflow import FINAL, Status

OPEN_STATES = [s for s in Status.values if s not in FINAL | {Status.NOT_OPENED, Status.WITHDRAWN, Status.TRANSFERRED, Status.REVOKED, Status.CLOSED}]


def cases_for(user, *, search: str = "", status: str = "", procedure: str = "", mine: bool = False, open_only: bool = False) -> QuerySet:
    qs = scope(Case.objects.select_related("organisation", "party", "vehicle"), user)
    if search:
        qs = qs.filter(Q(number__contains=search) | Q(party__name__contains=search) | Q(decision_number__contains=search)
                       | Q(vehicle__plate__contains=search.upper()) | Q(place__contains=search))
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if mine:
        qs = qs.filter(Q(officers__user=user) | Q(registered_by=user)).distinct()
    if open_only:
        qs = qs.filter(status__in=OPEN_STATES)
    return qs


def case_get(user, pk: int) -> Case:
    return get_scoped(Case.objects.select_related("organisation", "party", "vehicle", "violation_item"), user, pk=pk)


def with_clocks(cases, *, today: date | None = None) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Each case with its clocks and worst state, on one calendar snapshot."""
    cal = legal_calendar.calendar()
    today = today or timezone.localdate()
    rows = []
    for case in cases:
        cs = clocks.clocks(case, cal=cal, today=today)
        running = [c for c in cs if c.done_on is None and c.tracked]
        worst = next((s for s in ("red", "amber", "green") if any(c.state(today) == s for c in running)), "")
        rows.append((case, cs, worst))
    return rows


def at_risk(user, *, mine: bool = False, today: date | None = None) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Open cases with a red or amber clock: for one officer (``mine``) or the whole jurisdiction (agency)."""
    qs = cases_for(user, mine=mine, open_only=True).prefetch_related("suspensions", "extensions", "officers")
    rows = with_clocks(qs[:2000], today=today)
    order = {"red": 0, "amber": 1}
    return sorted([r for r in rows if r[2] in order], key=lambda r: (order[r[2]], r[0].pk))
