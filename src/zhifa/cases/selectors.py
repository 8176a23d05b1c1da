"""Reads of cases, always within the user's jurisdiction (core.selectors.scope): lists with filters, the at-risk
lists per user and per agency, and one case (404 outside the jurisdiction).

Lists are read a page at a time by keyset (newest first, ``before`` a case id): no COUNT and no OFFSET over a
register of a million cases (docs/performance.md)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.models import Party, Vehicle
from zhifa.core.selectors import get_scoped, organisations_for, scope

from . import clocks, rules
from .models import Case, StatusChange
from .workflow import FINAL, Status

# The history rows a list's clocks read (the day a case ended without a decision, clocks._ended), not all of it.
ENDING_CHANGES = Prefetch("status_changes", queryset=StatusChange.objects.filter(
    to_status__in=[Status.WITHDRAWN, Status.TRANSFERRED, Status.NOT_OPENED]))
OPEN_STATES = [s for s in Status.values if s not in FINAL | {Status.NOT_OPENED, Status.WITHDRAWN, Status.TRANSFERRED, Status.REVOKED, Status.CLOSED}]


def cases_for(user, *, search: str = "", status: str = "", procedure: str = "", mine: bool = False, open_only: bool = False,
              unit: int | None = None, registered_from: date | None = None, registered_to: date | None = None) -> QuerySet:
    """Cases in the user's jurisdiction; ``unit`` narrows to one organisation's subtree within it, the dates to the
    registration period (inclusive)."""
    qs = scope(Case.objects.select_related("organisation", "party", "vehicle"), user)
    if search:
        # Party and vehicle matches as id subqueries rather than joins: each term is then an indexed condition on the
        # case row (trigram indexes on PostgreSQL, migration 0003), combined by a bitmap OR.
        plate = search.upper()
        qs = qs.filter(Q(number__contains=search) | Q(decision_number__contains=search) | Q(place__contains=search)
                       | Q(party__in=Party.objects.filter(name__contains=search).values("pk"))
                       | Q(vehicle__in=Vehicle.objects.filter(plate__contains=plate).values("pk")))
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if unit:
        units = organisations_for(user).filter(pk=unit).values_list("path", flat=True)[:1]
        qs = qs.filter(organisation__path__startswith=units[0]) if units else qs.none()
    # Day bounds as moments in the local time zone, so the condition is a range on the indexed column.
    if registered_from:
        qs = qs.filter(registered_at__gte=_start_of(registered_from))
    if registered_to:
        qs = qs.filter(registered_at__lt=_start_of(registered_to + timedelta(days=1)))
    if mine:
        # EXISTS instead of a join + DISTINCT: the ordered index walk stays usable.
        qs = qs.filter(Q(pk__in=Case.officers.through.objects.filter(officer__user=user).values("case_id")) | Q(registered_by=user))
    if open_only:
        qs = qs.filter(status__in=OPEN_STATES)
    return qs


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def page_before(qs: QuerySet, *, before: int | None, size: int = 25) -> tuple[list[Case], int | None]:
    """One page of ``qs`` newest first (by id, which follows registration), strictly before the case ``before``;
    and the cursor of the next page (None on the last one). Two indexed reads at any depth, never a COUNT."""
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def case_get(user, pk: int) -> Case:
    return get_scoped(Case.objects.select_related("organisation", "party", "vehicle", "violation_item"), user, pk=pk)


def with_clocks(cases, *, today: date | None = None) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Each case with its clocks and worst state, on one calendar and one period-table snapshot (no query per case)."""
    cal = legal_calendar.calendar()
    periods = rules.period_table()
    today = today or timezone.localdate()
    rows = []
    for case in cases:
        cs = clocks.clocks(case, cal=cal, today=today, periods=periods)
        running = [c for c in cs if c.done_on is None and c.tracked]
        worst = next((s for s in ("red", "amber", "green") if any(c.state(today) == s for c in running)), "")
        rows.append((case, cs, worst))
    return rows


def at_risk_candidates(qs: QuerySet, today: date) -> QuerySet:
    """Cases of ``qs`` with a running clock that can be due by ``today`` + AMBER_DAYS. Each clock's deadline is at
    least its start plus its length in calendar days (working days and rest-day roll-over only move it later), so
    this SQL filter drops no case the clocks would colour red or amber; ``clocks`` then decides exactly."""
    horizon = today + timedelta(days=rules.AMBER_DAYS)

    def started_by(days: int) -> date:
        return horizon - timedelta(days=days)

    running = (
        # 行政处罚法 Art. 60: decision within 90 days of opening (extensions and suspensions only add).
        Q(procedure=Case.Procedure.ORDINARY, opened_on__lte=started_by(rules.DECISION_DAYS), decided_on__isnull=True)
        # Art. 44/45/64: statement and hearing-request periods after the notice.
        | Q(notified_on__isnull=False, rights_waived_on__isnull=True, hearing_requested_on__isnull=True, decided_on__isnull=True)
        | Q(hearing_notice_on__isnull=False, hearing_on__isnull=False, hearing_held_on__isnull=True)
        # Art. 61: delivery; Art. 67: payment within 15 days of delivery.
        | Q(decided_on__lte=started_by(rules.DELIVERY_WORKING_DAYS), delivered_on__isnull=True)
        | Q(delivered_on__lte=started_by(rules.PAYMENT_DAYS), penalty_kind=Case.PenaltyKind.FINE, paid_on__isnull=True)
    )
    return qs.filter(running)


def at_risk(user, *, mine: bool = False, today: date | None = None, limit: int = 2000) -> list[tuple[Case, list[clocks.Clock], str]]:
    """Open cases with a red or amber clock: for one officer (``mine``) or the whole jurisdiction (agency). At most
    ``limit`` candidates are examined, the longest-running first (lowest id), so the answer stays bounded."""
    today = today or timezone.localdate()
    qs = at_risk_candidates(cases_for(user, mine=mine, open_only=True), today)
    qs = qs.prefetch_related("suspensions", "extensions", "officers").order_by("pk")
    rows = with_clocks(qs[:limit], today=today)
    order = {"red": 0, "amber": 1}
    return sorted([r for r in rows if r[2] in order], key=lambda r: (order[r[2]], r[0].pk))
