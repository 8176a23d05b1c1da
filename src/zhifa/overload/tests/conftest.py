"""Fixtures for the overload tests: the Art. 3 rule version (if discretion's data is not loaded), a station
with a reviewed, calibrated class-5 device, registered vehicles, and a private WIM directory."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .factories import DeviceFactory, StationFactory, ensure_overload_rules

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def wim_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "wim"


@pytest.fixture
def rules(db):
    return ensure_overload_rules()


@pytest.fixture
def station(world, rules):
    station = StationFactory(organisation=world.brigade_a, code="S411321A", location_published_on=date(2020, 1, 1))
    DeviceFactory(station=station, code="D-A-1", accuracy_class=5, calibration_valid_from=date(2026, 1, 1),
                  calibration_valid_until=date(2026, 12, 31), review_passed_on=date(2020, 1, 1))
    return station


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A time on 2026-11-<day> in Beijing."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BJ)


def record(no: int, *, when: datetime | None = None, plate="豫R·A1001", colour="yellow", axles=6, klass="combination",
           gross=49_000, groups=None, weights=None, speed=60, lane_change=False, station="S411321A", device="D-A-1",
           single_tyre=0) -> dict:
    """One WIM record as a station sends it (docs/overload.md)."""
    when = when or at(1)
    groups = groups or {2: "1-1", 3: "1-2", 4: "1-1-2", 5: "1-2-2", 6: "1-2-3"}.get(axles, "-".join(["1"] * axles))
    if weights is None:
        each = gross // axles
        weights = [each] * (axles - 1) + [gross - each * (axles - 1)]
    return {"record_no": no, "station_code": station, "device_code": device, "lane": 1, "direction": "上行",
            "passed_at": when.isoformat(), "plate": plate, "plate_colour": colour, "vehicle_class": klass,
            "axle_count": axles, "axle_groups": groups, "axle_weights_kg": weights, "single_tyre_axles": single_tyre,
            "gross_kg": gross, "speed_kmh": speed, "length_mm": 17_500, "width_mm": 2_550, "height_mm": 3_900,
            "lane_change": lane_change, "image_refs": f"img/{no}-1.jpg;img/{no}-2.jpg", "video_ref": f"video/{no}.mp4"}


def die_on_call(monkeypatch, module, name: str, n: int):
    """Replace ``module.name`` by a wrapper that raises KeyboardInterrupt (a killed process) on its ``n``-th call;
    returns the real function, to put back for the rerun."""
    real = getattr(module, name)
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)
    return real


__all__ = ["at", "die_on_call", "record", "timedelta"]
