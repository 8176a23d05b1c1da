"""The overload formula: MOT Order 2016 No. 62 Art. 3 (limits) and Art. 43 (fines), every boundary."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.core.errors import DomainError
from zhifa.discretion.engine import assess
from zhifa.discretion.overload_rules import (
    cumulate,
    dimension_fine,
    limit_table,
    overload_fine,
    vehicle_limit_kg,
)

pytestmark = pytest.mark.django_db
ON = date(2026, 5, 1)


@pytest.mark.parametrize(("axles", "combination", "limit"), [
    (2, False, 18000), (3, False, 25000), (3, True, 27000), (4, False, 31000), (4, True, 36000),
    (5, True, 43000), (6, True, 49000), (7, True, 49000),
])
def test_art3_limit_table(axles, combination, limit):
    result = vehicle_limit_kg(axles=axles, combination=combination, on=ON)
    assert result.limit_kg == limit
    assert result.citation == "《超限运输车辆行驶公路管理规定》第三条"


def test_art3_single_drive_axle_limit_is_46000():
    assert vehicle_limit_kg(axles=6, combination=True, single_drive_axle=True, on=ON).limit_kg == 46000
    # The reduced figure exists only for six or more axles.
    assert vehicle_limit_kg(axles=5, combination=True, single_drive_axle=True, on=ON).limit_kg == 43000


def test_art3_single_tyre_axle_reduces_limit_by_3000_each():
    assert vehicle_limit_kg(axles=6, combination=True, single_tyre_axles=1, on=ON).limit_kg == 46000
    assert vehicle_limit_kg(axles=6, combination=True, single_drive_axle=True, single_tyre_axles=2, on=ON).limit_kg == 40000
    assert "减3,000千克" in vehicle_limit_kg(axles=3, combination=False, single_tyre_axles=1, on=ON).rule


def test_art3_invalid_vehicle_refused():
    with pytest.raises(DomainError):
        vehicle_limit_kg(axles=1, combination=False, on=ON)
    with pytest.raises(DomainError):
        vehicle_limit_kg(axles=2, combination=False, single_tyre_axles=2, on=ON)


def test_limit_table_rows_for_screening():
    rows = limit_table(ON)
    six = next(r for r in rows if r["axles"] == 6)
    assert six["limit_kg"] == 49000 and six["single_drive_axle_limit_kg"] == 46000
    two = next(r for r in rows if r["axles"] == 2)
    assert two["single_drive_axle_limit_kg"] == two["limit_kg"] == 18000


def test_art43_exactly_1000_kg_over_is_a_warning():
    fine = overload_fine(excess_kg=1000, on=ON)
    assert fine.warning and fine.amount is None
    assert fine.citation == "《超限运输车辆行驶公路管理规定》第四十三条"


def test_art43_1001_kg_over_is_fined():
    assert overload_fine(excess_kg=1001, on=ON, rounding="floor").amount == Decimal("500.00")
    assert overload_fine(excess_kg=1001, on=ON, rounding="ceil").amount == Decimal("1000.00")
    assert overload_fine(excess_kg=1001, on=ON, rounding="proportional").amount == Decimal("500.50")


def test_art43_not_over_limit():
    fine = overload_fine(excess_kg=0, on=ON)
    assert not fine.warning and fine.amount is None


@pytest.mark.parametrize(("rounding", "amount"), [("floor", "3000.00"), ("ceil", "3500.00"), ("proportional", "3300.00")])
def test_art43_partial_tonne_rounding_is_a_setting_shown_on_the_result(rounding, amount):
    fine = overload_fine(excess_kg=6600, on=ON, rounding=rounding)
    assert fine.amount == Decimal(amount)
    assert fine.rounding == rounding and fine.rounding_label in fine.rule


def test_art43_cap_30000():
    assert overload_fine(excess_kg=60000, on=ON).amount == Decimal("30000.00")
    capped = overload_fine(excess_kg=60001, on=ON, rounding="ceil")
    assert capped.amount == Decimal("30000.00") and capped.capped
    assert not overload_fine(excess_kg=59999, on=ON).capped


def test_art43_default_rounding_comes_from_the_edition_in_force():
    assert overload_fine(excess_kg=6600, on=ON).rounding == "floor"


@pytest.mark.parametrize(("dims", "band", "low", "high"), [
    ({"height_m": 4.1}, 1, "0", "200"),
    ({"height_m": 4.2}, 1, "0", "200"),
    ({"height_m": 4.21}, 2, "200", "1000"),
    ({"width_m": 3.75, "length_m": 28}, 2, "200", "1000"),
    ({"length_m": 28.5}, 3, "1000", "3000"),
])
def test_art43_dimension_bands(dims, band, low, high):
    result = dimension_fine(on=ON, **dims)
    assert result.over and result.band == band
    assert (result.minimum, result.maximum) == (Decimal(low), Decimal(high))


def test_art3_dimensions_within_limits_are_not_over():
    assert not dimension_fine(height_m=4.0, width_m=2.55, length_m=18.1, on=ON).over


def test_art43_several_violations_cumulate_to_at_most_30000():
    assert cumulate([Decimal("3000"), Decimal("500")], ON) == (Decimal("3500"), False)
    assert cumulate([Decimal("29500"), Decimal("2000")], ON) == (Decimal("30000"), True)


def test_art43_mass_and_dimension_fines_cumulate_in_the_assessment():
    result = assess(item_code="CX-001", facts={"axles": 6, "combination": True, "gross_kg": 55000, "height_m": 4.3},
                    violation_date=ON, today=ON)
    assert result.amount == Decimal("3500.00")  # 3000 mass + 500 dimension band 2 recommendation
    assert (result.minimum, result.maximum) == (Decimal("3200.00"), Decimal("4000.00"))
    assert "合并计算" in result.reasoning


def test_art43_cumulation_capped_in_the_assessment():
    result = assess(item_code="CX-001", facts={"over_kg": 60000, "length_m": 30}, violation_date=ON, today=ON)
    assert result.amount == Decimal("30000.00")
    assert "超过30,000元的按30,000元计" in result.reasoning


def test_art43_assessment_of_a_warning_and_of_no_excess():
    warn = assess(item_code="CX-001", facts={"axles": 2, "gross_kg": 19000}, violation_date=ON, today=ON)
    assert warn.penalty_kinds == ["warning"] and warn.amount is None
    none = assess(item_code="CX-001", facts={"axles": 2, "gross_kg": 18000}, violation_date=ON, today=ON)
    assert none.outcome == "no_penalty" and "不构成超限" in none.reasoning
