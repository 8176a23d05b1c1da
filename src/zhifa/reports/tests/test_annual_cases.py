"""Penalty, soft-outcome and fine figures of the annual report against an independent count of cases."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.reports import annual

case_factories = pytest.importorskip("zhifa.cases.tests.factories")


def test_case_figures_equal_independent_counts(world):
    Case = pytest.importorskip("zhifa.cases.models").Case
    cases = [case_factories.decided(world, amount=Decimal(a)) for a in ("2000", "500", "1500", "800")]
    Case.objects.filter(pk=cases[0].pk).update(decided_on=date(2024, 2, 10))
    Case.objects.filter(pk=cases[1].pk).update(decided_on=date(2024, 7, 1), lenient=True)
    Case.objects.filter(pk=cases[2].pk).update(decided_on=date(2024, 9, 9), outcome="no_penalty", no_penalty_reason="first",
                                                penalty_kind="", fine_amount=None)
    Case.objects.filter(pk=cases[3].pk).update(decided_on=date(2023, 12, 30))  # previous year
    report = annual.build(world.county_a, 2024)

    rows = [c for c in Case.objects.all() if c.organisation.path.startswith(world.county_a.path) and c.decided_on and c.decided_on.year == 2024]
    expected = {
        "penalties": sum(1 for c in rows if c.outcome == "penalty"),
        "first_no_penalty": sum(1 for c in rows if c.outcome == "no_penalty" and c.no_penalty_reason == "first"),
        "exempt": sum(1 for c in rows if c.outcome == "no_penalty" and c.no_penalty_reason in ("trivial", "no_fault")),
        "lenient": sum(1 for c in rows if c.outcome == "penalty" and c.lenient),
        "fines_imposed": sum((c.fine_amount for c in rows if c.outcome == "penalty" and c.penalty_kind == "fine"), Decimal("0")),
    }
    assert expected == {"penalties": 2, "first_no_penalty": 1, "exempt": 0, "lenient": 1, "fines_imposed": Decimal("2500.00")}
    for key, value in expected.items():
        assert report.figures[key].value.value == value, key
