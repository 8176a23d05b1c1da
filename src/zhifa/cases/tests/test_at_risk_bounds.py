"""The at-risk list (Case.clock_due_on, kept by clocks.refresh_due) must never drop a case the clocks colour red
or amber: each kind of running clock, checked against computing every open case's clocks."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from zhifa.cases import selectors
from zhifa.cases.models import Case
from zhifa.cases.tests.factories import decided, lead, notified, opened


def _brute_force(user, today):
    rows = selectors.with_clocks(selectors.cases_for(user, open_only=True), today=today)
    return {r[0].pk: r[2] for r in rows if r[2] in ("red", "amber")}


# A fixed Wednesday: the "amber" case's 90th day (two days ahead) is a working day. On the real date the test
# failed whenever that day fell on a weekend and rolled over past the amber window (e.g. run on 2026-12-03).
@time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_prefilter_keeps_every_red_and_amber_case(world):
    today = timezone.localdate()
    at = {}
    # 行政处罚法 Art. 60: decision limit, overdue / in the amber window / far away.
    for key, days in (("decision_red", 120), ("decision_amber", 88), ("decision_green", 20)):
        case = opened(world)
        Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=days))
        at[key] = case.pk
    # Art. 44/45: statement period after the notice (no hearing right), and Art. 64: hearing request (with one).
    for key, hearing in (("statement", False), ("hearing_request", True)):
        case = notified(world, hearing_right=hearing, amount=Decimal("20000") if hearing else Decimal("2000"), legal_review=hearing)
        Case.objects.filter(pk=case.pk).update(notified_on=today - timedelta(days=30), opened_on=today - timedelta(days=40))
        at[key] = case.pk
    # Art. 61: decided, not delivered; Art. 67: delivered fine, not paid.
    case = decided(world)
    Case.objects.filter(pk=case.pk).update(decided_on=today - timedelta(days=20), opened_on=today - timedelta(days=60))
    at["delivery"] = case.pk
    case = decided(world)
    Case.objects.filter(pk=case.pk).update(status="execution", decided_on=today - timedelta(days=40), opened_on=today - timedelta(days=80),
                                           delivered_on=today - timedelta(days=30), delivery_method="direct")
    at["payment"] = case.pk
    lead(world)  # no clock runs

    expected = _brute_force(world.users["head"], today)
    assert set(expected) == {at[k] for k in ("decision_red", "decision_amber", "statement", "hearing_request", "delivery", "payment")}
    rows = selectors.at_risk(world.users["head"], today=today)
    assert {r[0].pk: r[2] for r in rows} == expected
    assert expected[at["decision_amber"]] == "amber"


def test_at_risk_examines_at_most_limit_candidates_longest_running_first(world):
    today = timezone.localdate()
    cases = [opened(world) for _ in range(3)]
    for c in cases:
        Case.objects.filter(pk=c.pk).update(opened_on=today - timedelta(days=100))
    rows = selectors.at_risk(world.users["head"], today=today, limit=2)
    assert [r[0].pk for r in rows] == [cases[0].pk, cases[1].pk]


def _stored_matches_clocks(case_ids):
    from zhifa.cases import clocks

    for case in Case.objects.filter(pk__in=case_ids):
        assert case.clock_due_on == clocks.due_on(clocks.clocks(case)), case.number


@time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_nearest_deadline_follows_every_change_the_clocks_read(world):
    """Case.clock_due_on (what the at-risk list and the dashboard read) equals the nearest running deadline after a
    transition (a queryset update), an extension, a suspension started and ended, and a procedure period changed."""
    from zhifa.cases.models import ClockSuspension, Extension, ProcedurePeriod

    today = timezone.localdate()
    fresh = lead(world)
    assert Case.objects.get(pk=fresh.pk).clock_due_on is None  # a lead runs no clock
    case = opened(world)
    Case.objects.filter(pk=case.pk).update(opened_on=today - timedelta(days=100))  # 行政处罚法 Art. 60: overdue
    due = Case.objects.get(pk=case.pk).clock_due_on
    assert due is not None and due < today
    _stored_matches_clocks([case.pk])
    ext = Extension.objects.create(case=case, days=30, basis=Extension.Basis.HEAD, reason="案情复杂", approved_by=world.users["head"],
                                   approved_on=today)
    assert Case.objects.get(pk=case.pk).clock_due_on > due
    ext.delete()
    assert Case.objects.get(pk=case.pk).clock_due_on == due
    suspension = ClockSuspension.objects.create(case=case, reason=ClockSuspension.Reason.TESTING, started_on=today - timedelta(days=20))
    assert Case.objects.get(pk=case.pk).clock_due_on is None  # a suspended clock is neither red nor amber
    suspension.ended_on = today - timedelta(days=5)
    suspension.save()
    assert Case.objects.get(pk=case.pk).clock_due_on > due  # the 15 suspended days are not counted
    _stored_matches_clocks([case.pk])
    # Art. 44/45: the statement period is a procedure period; a new value moves every notified case's deadline.
    told = notified(world, hearing_right=False, amount=Decimal("2000"))
    before = Case.objects.get(pk=told.pk).clock_due_on
    ProcedurePeriod.objects.create(key="statement_working_days", value=10, effective_from=date(2020, 1, 1), citation="测试")
    assert Case.objects.get(pk=told.pk).clock_due_on > before
    _stored_matches_clocks([case.pk, told.pk])
    # A closed case carries none.
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert Case.objects.get(pk=case.pk).clock_due_on is None
