"""Statutory clocks of a case, computed on the legal calendar (core.legal_calendar) each time they are read,
so a calendar correction by the administrator changes every open deadline at once."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.db import MANY_LIMIT, NUMBER_PLACEHOLDER, Compiled
from zhifa.core.legal_calendar import Deadline

from . import rules
from .models import CLOCK_FIELDS, Case, ClockSuspension, Extension
from .workflow import PENDING_DECISION, Status


@dataclass(frozen=True)
class Clock:
    """One running or finished legal deadline of a case."""

    key: str
    label: str
    deadline: Deadline
    done_on: date | None  # the act that satisfied it, or None while it runs
    basis: str
    tracked: bool = True  # False: shown for information, kept by another app (publication by the portal)
    suspended: str = ""  # the reason while the clock stands still (行政处罚法 Art. 60: hearing, notice, testing …)

    def state(self, today: date | None = None) -> str:
        """'red' overdue, 'amber' close, 'green' in time, 'done' satisfied (in time or late: see ``late``),
        'suspended' while a suspension runs (the deadline moves day by day; it is not "in time")."""
        today = today or timezone.localdate()
        if self.done_on is not None:
            return "done"
        if self.suspended:
            return "suspended"
        remaining = (self.deadline.date - today).days
        if remaining < 0:
            return "red"
        return "amber" if remaining <= rules.AMBER_DAYS else "green"

    @property
    def late(self) -> bool:
        return self.done_on is not None and self.done_on > self.deadline.date

    @property
    def state_label(self) -> str:
        state = self.state()
        if state == "suspended":
            return f"中止计算（{self.suspended}）"
        return {"red": "已超期", "amber": "即将到期", "green": "期限内", "done": "已完成"}[state]


def suspended_days(case: Case, today: date | None = None, suspensions=None) -> int:
    """Calendar days of hearing, public notice, testing and appraisal periods (not counted in the 90 days).
    ``suspensions``: the case's rows when the caller read them for many cases at once (selectors.with_clocks)."""
    today = today or timezone.localdate()
    total = 0
    for s in case.suspensions.all() if suspensions is None else suspensions:
        end = s.ended_on or today
        total += max(0, (end - s.started_on).days)
    return total


def decision_limit_days(case: Case, extensions=None) -> int:
    return rules.DECISION_DAYS + sum(e.days for e in (case.extensions.all() if extensions is None else extensions))


def has_decision_clock(case: Case) -> bool:
    """Whether the 90 days of 行政处罚法 Art. 60 apply (an ordinary case once opened): only such a case's clock
    reads its suspensions, extensions and, once it ended without a decision, its history (:func:`_ended`)."""
    return case.procedure == Case.Procedure.ORDINARY and bool(case.opened_on)


# The states of a case that ended without a decision: its decision clock stopped on the day it moved there.
ENDED_STATES = frozenset({Status.WITHDRAWN, Status.TRANSFERRED, Status.NOT_OPENED})


def has_payment_clock(case: Case) -> bool:
    return bool(case.delivered_on and case.penalty_kind == Case.PenaltyKind.FINE and case.fine_amount)


def payment_starts(case_ids=None, *, batch: int = 900) -> dict[int, date]:
    """{case id: the day its payment period runs from} for the cases whose 缴款通知书 came after the decision's
    delivery (``PaymentNotice.period_from``: a finance system's 缴款码 answered later, docs/payments.md); the others
    run from the delivery. One query per ``batch`` cases (``case_ids`` None: every such notice — they are few)."""
    if case_ids is None:
        return dict(_late_notices().values_list("case_id", "period_from"))
    ids, found = sorted(set(case_ids)), {}
    for start in range(0, len(ids), batch):
        found.update(_PAYMENT_STARTS.all(ids[start:start + batch]))
    return found


def _late_notices():
    from zhifa.payments.models import PaymentNotice

    return PaymentNotice.objects.filter(period_from__isnull=False)


# payment_starts of a list's cases, compiled once per connection and number of cases (core.db.Compiled).
_PAYMENT_STARTS = Compiled(
    lambda ids: _late_notices().filter(case_id__in=ids).values_list("case_id", "period_from"),
    placeholder=NUMBER_PLACEHOLDER, many=True)


def payment_period_from(case: Case, starts: dict[int, date] | None = None) -> date:
    """Where the 15 days of 行政处罚法 Art. 67 run from for this case: the delivery of the decision, or the later day
    the finance system's code arrived and the notice with it was issued (not a recorded receipt by the party:
    docs/payments.md, "A late 缴款码"). The same day as the notice's own due date, the
    at-risk list and the due date sent to the finance system (one rule, docs/payments.md). ``starts``: the result
    of ``payment_starts`` when many cases are computed at once (None: read for this case)."""
    if starts is None:
        starts = payment_starts([case.pk]) if case.pk else {}
    start = starts.get(case.pk)
    return start if start is not None and start > case.delivered_on else case.delivered_on


def clocks(case: Case, *, cal: legal_calendar.Calendar | None = None, today: date | None = None, periods=None,
           suspensions=None, extensions=None, payment_from: dict[int, date] | None = None) -> list[Clock]:
    """Every clock that applies to the case in its current state. ``periods`` is ``rules.period`` or a snapshot of
    it (``rules.period_table()``), and ``suspensions``/``extensions`` the case's rows, ``payment_from`` the result of
    ``payment_starts`` for them, when many cases are computed at once (None: read from the case)."""
    cal = cal or legal_calendar.calendar()
    periods = periods or rules.period
    result: list[Clock] = []
    if has_decision_clock(case):
        # 行政处罚法 Art. 60: 90 days from opening, plus approved extensions, not counting suspensions.
        rows = list(case.suspensions.all() if suspensions is None else suspensions)
        days = decision_limit_days(case, extensions) + suspended_days(case, today, rows)
        halted = next((s.get_reason_display() for s in rows if s.ended_on is None), "")
        result.append(Clock("decision", "作出决定期限", cal.add_days(case.opened_on, days), case.decided_on or _ended(case),
                            "行政处罚法第六十条", suspended=halted))
    if case.notified_on and case.hearing_right:
        # Art. 64: a hearing request within 5 working days of being told.
        done = case.hearing_requested_on or case.rights_waived_on or (case.decided_on if case.decided_on else None)
        result.append(Clock("hearing_request", "听证申请期限", cal.add_working_days(case.notified_on, rules.HEARING_REQUEST_WORKING_DAYS),
                            done, "行政处罚法第六十四条"))
    elif case.notified_on:
        result.append(Clock("statement", "陈述申辩期限", cal.add_working_days(case.notified_on, periods("statement_working_days", case.notified_on)),
                            case.rights_waived_on or case.decided_on, "行政处罚法第四十四条、第四十五条"))
    if case.hearing_notice_on and case.hearing_on:
        earliest = cal.add_working_days(case.hearing_notice_on, rules.HEARING_NOTICE_WORKING_DAYS)
        result.append(Clock("hearing_notice", "听证通知（最早举行日）", earliest, case.hearing_held_on, "行政处罚法第六十四条"))
    if case.decided_on:
        result.append(Clock("delivery", "送达期限", cal.add_working_days(case.decided_on, rules.DELIVERY_WORKING_DAYS),
                            case.delivered_on, "行政处罚法第六十一条"))
        if case.outcome == Case.Outcome.PENALTY:
            result.append(Clock("publication", "公示期限", publication_deadline(case.decided_on, cal=cal),
                                _published_on(case), "国办发〔2018〕118号", tracked=False))
    if has_payment_clock(case):
        # Art. 67 ¶3: 15 days from receipt — of the decision, or of the notice whose code came later.
        result.append(Clock("payment", "缴纳罚款期限", cal.add_days(payment_period_from(case, payment_from), rules.PAYMENT_DAYS),
                            case.paid_on, "行政处罚法第六十七条"))
    return result


def due_on(case_clocks: list[Clock]) -> date | None:
    """The nearest deadline of the running clocks (tracked, not done, not suspended): the day the case turns red
    after, and amber ``rules.AMBER_DAYS`` before (``Clock.state``). A suspended clock moves day by day and is never
    red or amber, so it does not count."""
    return min((c.deadline.date for c in case_clocks if c.done_on is None and c.tracked and not c.suspended), default=None)


# What the clocks of an open case read (only these are loaded, so the migration that fills the column runs with
# the code of any later version of the model).
DUE_FIELDS = ("id", "clock_due_on", *sorted(CLOCK_FIELDS))


def refresh_due(case_ids, *, cal: legal_calendar.Calendar | None = None, batch: int = MANY_LIMIT) -> int:
    """Recompute ``Case.clock_due_on`` of the cases ``case_ids`` (None for a case no longer open); returns how many
    changed. Reads each batch's cases, suspensions and extensions in one query each, compiled once per
    connection and number of cases (``_DUE_CASES``…: this runs after every case move, and compiling the three
    queries cost more than running them); the procedure periods only when a clock asks for one."""
    from .selectors import rows_by_case
    from .workflow import OPEN_STATES

    periods, today, ids, changed = None, timezone.localdate(), sorted(set(case_ids)), 0
    batch = min(batch, MANY_LIMIT)  # the most values a compiled ``many`` query takes at once
    for start in range(0, len(ids), batch):
        chunk = _DUE_CASES.all(ids[start:start + batch])
        open_cases = [c for c in chunk if c.status in OPEN_STATES]
        if open_cases and periods is None:  # the calendar and the periods only for a case whose clocks run
            cal, periods = cal or legal_calendar.calendar(), _periods_when_asked()
        suspensions = rows_by_case(_DUE_SUSPENSIONS, open_cases)
        extensions = rows_by_case(_DUE_EXTENSIONS, open_cases)
        starts = payment_starts([c.pk for c in open_cases if has_payment_clock(c)])
        by_value: dict[date | None, list[int]] = {}
        for case in chunk:
            value = None
            if case.status in OPEN_STATES:
                value = due_on(clocks(case, cal=cal, today=today, periods=periods, payment_from=starts,
                                      suspensions=suspensions.get(case.pk, ()), extensions=extensions.get(case.pk, ())))
            if value != case.clock_due_on:
                by_value.setdefault(value, []).append(case.pk)
        for value, pks in by_value.items():
            Case.objects.filter(pk__in=pks).update(clock_due_on=value)  # not a clock field: no recursion
            changed += len(pks)
    return changed


def _periods_when_asked():
    """``rules.period_table()`` read at its first use (the statement period of a notified case), not for every
    case refreshed: the table's version token is a query."""
    table = None

    def lookup(key: str, on=None) -> int:
        nonlocal table
        if table is None:
            table = rules.period_table()
        return table(key, on)

    return lookup


# The rows refresh_due reads (only what the clocks use), each query compiled once per connection and number of
# cases (core.db.Compiled, ``many``). Only the SQL is kept: the rows are read at every call.
_DUE_CASES = Compiled(lambda ids: Case.objects.filter(pk__in=ids).only(*DUE_FIELDS),
                      placeholder=NUMBER_PLACEHOLDER, many=True)
_DUE_SUSPENSIONS = Compiled(
    lambda ids: ClockSuspension.objects.filter(case_id__in=ids).only("case_id", "reason", "started_on",
                                                                      "ended_on"),
    placeholder=NUMBER_PLACEHOLDER, many=True)
_DUE_EXTENSIONS = Compiled(lambda ids: Extension.objects.filter(case_id__in=ids).only("case_id", "days"),
                           placeholder=NUMBER_PLACEHOLDER, many=True)


def refresh_due_all(*, cal: legal_calendar.Calendar | None = None) -> int:
    """``refresh_due`` for every open case and every case still carrying a deadline (after a change of the legal
    calendar or of a procedure period, and to fill the column of an existing register)."""
    from django.db.models import Q

    from .workflow import OPEN_STATES

    ids = Case.objects.filter(Q(status__in=OPEN_STATES) | Q(clock_due_on__isnull=False)).values_list("pk", flat=True)
    return refresh_due(list(ids), cal=cal)


def publication_deadline(decided_on: date, *, cal: legal_calendar.Calendar | None = None) -> Deadline:
    """Penalty decisions are published within 7 working days (国办发〔2018〕118号)."""
    cal = cal or legal_calendar.calendar()
    return cal.add_working_days(decided_on, rules.PUBLICATION_WORKING_DAYS)


def _published_on(case: Case) -> date | None:
    # The portal records publication on its side; it may set ``case.published_on`` when it provides one.
    return getattr(case, "published_on", None)


def _ended(case: Case) -> date | None:
    """A case that ended without a decision (withdrawn, transferred) no longer runs the decision clock."""
    if case.status in ENDED_STATES:
        # Read through .all() so that a list's prefetched history serves it (no query per case).
        change = next((c for c in reversed(case.status_changes.all()) if c.to_status == case.status), None)
        return timezone.localtime(change.at).date() if change else timezone.localdate()
    return None


def running(case: Case, *, cal=None, today=None, payment_from=None) -> list[Clock]:
    return [c for c in clocks(case, cal=cal, today=today, payment_from=payment_from) if c.done_on is None and c.tracked]


def worst_state(case: Case, *, cal=None, today=None) -> str:
    """The most urgent running clock's colour, for lists: red > amber > green, '' when none runs."""
    states = {c.state(today) for c in running(case, cal=cal, today=today)}
    for s in ("red", "amber", "green"):
        if s in states:
            return s
    return ""


def calendar_changed(*, actor, before: legal_calendar.Calendar, after: legal_calendar.Calendar, reason: str) -> int:
    """The legal calendar changed (an administrator entered a year's arrangement or a day; core.services): the
    running deadlines of every open case are computed on the calendar before and after the change, and each case
    whose deadline moved (or became confirmed) gets its record in the full-process record (行政处罚法 Art. 47).
    Returns the number of such cases. Runs inside the caller's transaction."""
    from zhifa.core import audit

    from .selectors import rows_by_case
    from .workflow import OPEN_STATES

    periods, today, moved, last = rules.period_table(), timezone.localdate(), 0, 0
    open_cases = Case.objects.filter(status__in=OPEN_STATES).select_related("organisation").order_by("pk")
    while chunk := list(open_cases.filter(pk__gt=last)[:2000]):
        last = chunk[-1].pk
        suspensions, extensions = rows_by_case(ClockSuspension.objects.all(), chunk), rows_by_case(Extension.objects.all(), chunk)
        starts = payment_starts([c.pk for c in chunk if has_payment_clock(c)])
        for case in chunk:
            kw = {"today": today, "periods": periods, "suspensions": suspensions.get(case.pk, ()), "extensions": extensions.get(case.pk, ()),
                  "payment_from": starts}
            old = {c.key: c for c in clocks(case, cal=before, **kw) if c.done_on is None and c.tracked}
            new = {c.key: c for c in clocks(case, cal=after, **kw) if c.done_on is None and c.tracked}
            keys = [k for k in new if k in old
                    and (old[k].deadline.date, old[k].deadline.confirmed) != (new[k].deadline.date, new[k].deadline.confirmed)]
            if keys:
                changes = {new[k].label: [str(old[k].deadline), str(new[k].deadline)] for k in keys}
                said = [f"{new[k].label}由{old[k].deadline}调整为{new[k].deadline}" if old[k].deadline.date != new[k].deadline.date
                        else f"{new[k].label}{new[k].deadline}不变，" + ("已按确认的放假安排计算" if new[k].deadline.confirmed else "放假安排转为未确认")
                        for k in keys]
                audit.record(actor=actor, action="case.clocks_recomputed", subject=case, organisation=case.organisation, changes=changes,
                             summary=f"{reason}，重新计算期限：" + "；".join(said))
                moved += 1
    refresh_due_all(cal=after)  # the at-risk list's nearest deadlines on the new calendar
    return moved


def is_suspended(case: Case) -> bool:
    return ClockSuspension.objects.filter(case=case, ended_on__isnull=True).exists()


__all__ = ["Clock", "clocks", "running", "worst_state", "publication_deadline", "suspended_days", "PENDING_DECISION"]
