"""Properties over the whole shipped catalogue: nothing is computed without naming its source."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.core.errors import DomainError
from zhifa.discretion.engine import assess
from zhifa.discretion.models import ViolationItem

FLAGS = ["first_violation", "minor", "corrected_promptly", "reduced_harm", "coerced", "confessed", "meritorious",
         "mitigate", "repeat_within_year"]
facts_strategy = st.fixed_dictionaries(
    {"harm": st.sampled_from(["none", "minor", "serious"]), "party_kind": st.sampled_from(["person", "organisation"])},
    optional={**{f: st.booleans() for f in FLAGS}, "age": st.integers(10, 70), "over_kg": st.integers(-500, 80000),
              "height_m": st.sampled_from([3.9, 4.3, 4.6])},
)


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 47), facts=facts_strategy)
def test_every_outcome_has_reasoning_citations_and_a_lawful_range(index, facts):
    item = ViolationItem.objects.order_by("code")[index]
    if item.formula and not {"over_kg", "height_m"} & set(facts):
        # An overload item proposes no penalty without measurements (issue 14: "未超过规定限值" for a 1,311 kg
        # excess) — unless a ground that needs no measurement already bars the penalty (Art. 30 under fourteen,
        # Art. 33 minor and corrected, first violation on the list): then the outcome is 不予处罚 with that reason.
        try:
            result = assess(item_code=item.code, facts=facts, violation_date=date(2026, 5, 1), today=date(2026, 5, 1))
        except DomainError as exc:
            assert exc.code == "overload_facts_missing"
            return
        assert result.outcome == "no_penalty" and result.amount is None
        assert any(c.endswith(("第三十条", "第三十三条第一款", "第三十三条第二款", "第三十六条")) for c in result.citations)
        assert "未超过规定限值" not in "".join(result.reasoning)
        return
    result = assess(item_code=item.code, facts=facts, violation_date=date(2026, 5, 1), today=date(2026, 5, 1))
    assert result.reasoning and result.citations
    assert item.violated_provision in result.citations
    if result.amount is not None:
        assert result.minimum <= result.amount <= result.maximum
        assert result.amount <= Decimal("30000") or item.statutory_max > Decimal("30000")
        if item.statutory_max is not None:
            assert result.amount <= item.statutory_max
        if result.outcome == "mitigated" and item.statutory_min:
            assert result.amount < item.statutory_min
    if result.outcome == "no_penalty":
        assert result.amount is None and result.education_required


@pytest.mark.django_db
def test_cli_overload_assess_json():
    out = StringIO()
    call_command("overload", "assess", "--axles", "6", "--gross-kg", "55000", "--drive-axle", "single",
                 "--date", "2026-05-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["limit_kg"] == 46000 and data["excess_kg"] == 9000 and data["fine"] == "4500.00"
    assert data["rounding"] == "floor" and "《超限运输车辆行驶公路管理规定》第四十三条" in data["articles"]


@pytest.mark.django_db
def test_cli_overload_truck_warning_and_rounding():
    out = StringIO()
    call_command("overload", "assess", "--axles", "3", "--gross-kg", "26000", "--truck", "--date", "2026-05-01",
                 "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["limit_kg"] == 25000 and data["penalty_kinds"] == ["warning"] and data["fine"] is None
    out = StringIO()
    call_command("overload", "assess", "--axles", "2", "--gross-kg", "24600", "--rounding", "proportional",
                 "--date", "2026-05-01", "--json", stdout=out)
    assert json.loads(out.getvalue())["fine"] == "3300.00"


@pytest.mark.django_db
def test_cli_discretion_export_and_import(tmp_path, world):
    path = tmp_path / "edition.xlsx"
    call_command("discretion", "export", "CN-DEFAULT-2022", "-o", str(path), stdout=StringIO())
    assert path.stat().st_size > 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):  # same edition code: refused with the row problem
        call_command("discretion", "import", str(path), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_art30_under_fourteen_bars_an_overload_penalty_before_any_measurement():
    item = ViolationItem.objects.exclude(formula="").order_by("code").first()
    result = assess(item_code=item.code, facts={"harm": "none", "party_kind": "person", "age": 12},
                    violation_date=date(2026, 5, 1), today=date(2026, 5, 1))
    assert result.outcome == "no_penalty" and any(c.endswith("第三十条") for c in result.citations)
