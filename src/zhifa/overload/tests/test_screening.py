"""Screening: Art. 3 limits, tolerance versions, calibration and review (Art. 41), invalid readings, exemptions,
the merging window (Art. 29) and the review queue for unmatched plates."""

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest

from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest, wim
from zhifa.overload.models import Device, Exemption, ScreeningPolicy, TolerancePolicy, Violation

from .conftest import at, record


def push(station, rows):
    return ingest.ingest_records(rows, station=station, name="test", body_sha256="0" * 64)


def screened(station, rows):
    """The stored raw records with their screening columns."""
    push(station, rows)
    frame = ingest.query_records(station_code=station.code, day=date(2026, 11, 1))
    return {r["record_no"]: r for r in frame.iter_rows(named=True)}


# Class-5 device, 5% tolerance: corrected = floor(gross × 0.95).
@pytest.mark.parametrize(("axles", "klass", "groups", "limit"), [
    (2, "truck", "1-1", 18_000), (3, "truck", "1-2", 25_000), (3, "combination", "1-1-1", 27_000),
    (4, "truck", "1-1-2", 31_000), (4, "combination", "1-1-2", 36_000), (5, "combination", "1-2-2", 43_000),
    (6, "combination", "1-2-3", 49_000), (7, "combination", "1-2-4", 49_000),
])
def test_art3_limit_boundary_after_tolerance(station, axles, klass, groups, limit):
    at_limit = -(-limit * 100 // 95)  # smallest gross whose corrected mass reaches the limit
    while (at_limit * 95) // 100 > limit:
        at_limit -= 1
    rows = {1: at_limit, 2: at_limit + 2}
    result = screened(station, [record(n, axles=axles, klass=klass, groups=groups, gross=g, plate=f"豫R·C{n:04d}") for n, g in rows.items()])
    assert result[1]["limit_kg"] == limit and result[1]["excess_kg"] == 0
    assert result[2]["excess_kg"] > 0
    assert Violation.objects.count() == 1


def test_art3_single_drive_axle_six_axle_combination_limit_46000(station):
    result = screened(station, [record(1, axles=6, groups="1-1-1-3", gross=50_000)])
    assert result[1]["limit_kg"] == 46_000 and result[1]["excess_kg"] == 47_500 - 46_000


def test_art3_single_tyre_axles_reduce_limit_by_3000_each(station):
    result = screened(station, [record(1, axles=6, gross=40_000, single_tyre=2)])
    assert result[1]["limit_kg"] == 49_000 - 6_000


def test_tolerance_policy_versions_apply_by_date(station):
    TolerancePolicy.objects.create(accuracy_class=5, percent=Decimal("8"), effective_from=date(2026, 11, 2), citation="测试：本省新规")
    result = screened(station, [record(1, when=at(1), gross=52_000), record(2, when=at(2), gross=52_000, plate="豫R·C0002")])
    assert result[1]["tolerance_percent"] == 5.0 and result[1]["corrected_kg"] == 49_400
    frame = ingest.query_records(station_code=station.code, day=date(2026, 11, 2))
    assert frame["tolerance_percent"][0] == 8.0 and frame["excess_kg"][0] == 0


def test_art41_expired_calibration_keeps_record_flagged_and_no_violation(station):
    Device.objects.filter(code="D-A-1").update(calibration_valid_until=date(2026, 10, 31))
    result = screened(station, [record(1, gross=60_000)])
    assert result[1]["flags"] & wim.FLAG_CALIBRATION
    assert Violation.objects.count() == 0


def test_art41_calibration_last_valid_day_still_counts(station):
    Device.objects.filter(code="D-A-1").update(calibration_valid_until=date(2026, 11, 1))
    screened(station, [record(1, gross=60_000)])
    assert Violation.objects.count() == 1


def test_art41_unreviewed_device_or_unpublished_location_never_becomes_a_case(station):
    Device.objects.filter(code="D-A-1").update(review_passed_on=None)
    result = screened(station, [record(1, gross=60_000)])
    assert result[1]["flags"] & wim.FLAG_NOT_REVIEWED and Violation.objects.count() == 0


@pytest.mark.parametrize(("changes", "flag"), [
    ({"speed": 3}, wim.FLAG_SPEED), ({"speed": 101}, wim.FLAG_SPEED), ({"lane_change": True}, wim.FLAG_LANE_CHANGE),
    ({"weights": [9000, 9000, 9000, 9000, 9000]}, wim.FLAG_AXLES),
])
def test_invalid_readings_are_excluded(station, changes, flag):
    result = screened(station, [record(1, gross=60_000, **changes)])
    assert result[1]["flags"] & flag
    assert Violation.objects.count() == 0


def test_speed_at_the_valid_bounds_is_valid(station):
    screened(station, [record(1, gross=60_000, speed=5), record(2, gross=60_000, speed=100, plate="豫R·C0002")])
    assert Violation.objects.count() == 2


def test_art29_passes_within_window_merge_into_one_violation(station):
    ScreeningPolicy.objects.update(merge_window_hours=24)
    first = at(1, 8)
    push(station, [record(1, when=first, gross=60_000), record(2, when=first + timedelta(hours=23, minutes=59), gross=61_000),
                   record(3, when=first + timedelta(hours=24), gross=62_000)])
    violations = list(Violation.objects.order_by("first_passed_at"))
    assert [v.pass_count for v in violations] == [2, 1]
    assert violations[0].key_record_no == 1


def test_art29_merging_across_two_pushes(station):
    push(station, [record(1, when=at(1, 8), gross=60_000)])
    push(station, [record(2, when=at(1, 20), gross=60_000)])
    assert Violation.objects.get().pass_count == 2


def test_art29_two_unread_plates_never_merge(station):
    """Regression: passes whose plate was not read used to merge into one violation (same empty plate and colour),
    although nothing says they are the same vehicle. Each now goes to the review queue on its own."""
    push(station, [record(1, when=at(1, 8), gross=60_000, plate=""), record(2, when=at(1, 9), gross=60_000, plate="")])
    assert sorted(Violation.objects.values_list("key_record_no", "pass_count", "status")) == [
        (1, 1, Violation.Status.REVIEW), (2, 1, Violation.Status.REVIEW)]


def test_art29_window_counts_from_the_first_pass_across_pushes(station):
    # 08:00 opens; 20:00 joins (12 h); the next day 08:00 is exactly 24 h after the first pass → a new violation,
    # although it is only 12 h after the last one.
    push(station, [record(1, when=at(1, 8), gross=60_000)])
    push(station, [record(2, when=at(1, 20), gross=60_000), record(3, when=at(2, 8), gross=60_000),
                   record(4, when=at(2, 9), gross=60_000)])
    assert sorted(Violation.objects.values_list("key_record_no", "pass_count")) == [(1, 2), (3, 2)]


def test_permit_over_its_approved_mass_does_not_exempt(station):
    ex = Exemption.objects.create(permit_number="豫超限2026-002", plate="豫R·A1001", plate_colour="yellow",
                                  valid_from=at(1, 0), valid_until=at(1, 23), max_gross_kg=59_999)
    ex.stations.add(station)
    push(station, [record(1, when=at(1, 9), gross=60_000)])
    assert Violation.objects.get().key_record_no == 1


def test_valid_permit_for_route_and_time_exempts(station):
    ex = Exemption.objects.create(permit_number="豫超限2026-001", plate="豫R·A1001", plate_colour="yellow",
                                  valid_from=at(1, 0), valid_until=at(1, 23), max_gross_kg=65_000)
    ex.stations.add(station)
    push(station, [record(1, when=at(1, 9), gross=60_000), record(2, when=at(2, 9), gross=60_000)])
    assert Violation.objects.get().key_record_no == 2  # the pass outside the permit's period


def test_unmatched_plate_goes_to_review_and_matched_plate_to_owner(station, world):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·A1001")
    push(station, [record(1, gross=60_000, plate="豫RA1001", colour="黄"), record(2, gross=60_000, plate="豫R·Z9999")])
    matched = Violation.objects.get(key_record_no=1)
    assert matched.vehicle == vehicle and matched.status == Violation.Status.DETECTED
    assert Violation.objects.get(key_record_no=2).status == Violation.Status.REVIEW


# Art. 3 items 1–3: height over 4 m, width over 2.55 m, length over 18.1 m (DimensionLimit, data).
@pytest.mark.parametrize(("height", "width", "length", "expected"), [
    (4000, 2550, 18_100, []),
    (4001, 2550, 18_100, ["总高度超过限值"]),
    (4000, 2551, 18_100, ["总宽度超过限值"]),
    (4000, 2550, 18_101, ["总长度超过限值"]),
    (4100, 2600, 18_200, ["总高度超过限值", "总宽度超过限值", "总长度超过限值"]),
])
def test_art3_outline_limits_at_the_boundary(station, height, width, length, expected):
    row = record(1, gross=60_000)
    row.update(height_mm=height, width_mm=width, length_mm=length)
    mask = screened(station, [row])[1]["dimension_over"]
    assert wim.dimension_labels(mask) == expected
    violation = Violation.objects.get()
    assert violation.dimension_labels == expected
    from zhifa.overload.services import evidence_package

    evidence = evidence_package(violation)["dimensions"]
    assert evidence["measured_mm"] == {"height": height, "width": width, "length": length}
    assert evidence["limits_mm"] == {"height": 4000, "width": 2550, "length": 18_100} and "第三条" in evidence["citation"]


def test_outline_limits_are_versioned_data(station):
    from zhifa.overload.models import DimensionLimit

    DimensionLimit.objects.create(effective_from=date(2026, 11, 2), max_height_mm=4200, max_width_mm=2550, max_length_mm=18_100,
                                  citation="测试：新版本")
    rows = [record(1, when=at(1, 9)), record(2, when=at(2, 9))]
    for row in rows:
        row["height_mm"] = 4100
    push(station, rows)
    frame = pl.concat([ingest.query_records(station_code=station.code, day=date(2026, 11, d)) for d in (1, 2)])
    assert dict(zip(frame["record_no"].to_list(), frame["dimension_over"].to_list(), strict=True)) == {1: wim.DIM_HEIGHT, 2: 0}


def test_missing_outline_reading_and_non_goods_vehicles_are_not_over(station):
    missing = record(1)
    missing.update(height_mm=None, width_mm=None, length_mm=None)
    other = record(2, klass="other", plate="豫R·C0002")
    other["height_mm"] = 4500
    found = screened(station, [missing, other])
    assert (found[1]["dimension_over"], found[2]["dimension_over"]) == (0, 0)
