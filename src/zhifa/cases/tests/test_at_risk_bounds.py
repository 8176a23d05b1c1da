"""The at-risk list's SQL pre-filter (selectors.at_risk_candidates) must never drop a case the clocks colour red
or amber: each kind of running clock, checked against computing every open case's clocks."""

from datetime import datetime, timedelta
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
