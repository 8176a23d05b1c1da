"""WIM test data shared by the worker and fault tests: the overload tests' two stations (their codes fall in
different partitions of 2), four registered vehicles, and files of generated weigh-in-motion records."""

from datetime import date, datetime, timedelta
from importlib import import_module


def stations(world) -> None:
    """Two stations with calibrated devices, four registered vehicles; the shipped rows ingest needs."""
    from django.apps import apps

    from zhifa.core.tests.factories import VehicleFactory
    from zhifa.overload.tests.factories import DeviceFactory, StationFactory, ensure_overload_rules
    from zhifa.overload.tests.test_tasks import SECOND

    # Data-migration rows (policies, the catalogue a case names) are gone after an earlier transactional test's flush.
    import_module("zhifa.overload.migrations.0002_default_policies").forwards(apps, None)
    import_module("zhifa.discretion.migrations.0003_shipped_data").load(apps, None)
    ensure_overload_rules()
    for code, device in (("S411321A", "D-A-1"), (SECOND, "D-B-1")):
        station = StationFactory(organisation=world.brigade_a, code=code, location_published_on=date(2020, 1, 1))
        DeviceFactory(station=station, code=device, accuracy_class=5, calibration_valid_from=date(2026, 1, 1),
                      calibration_valid_until=date(2026, 12, 31), review_passed_on=date(2020, 1, 1))
    for i in range(4):
        VehicleFactory(organisation=world.brigade_a, plate=f"豫R·P{i:04d}")


def later_sample(days: int, offset: int) -> list[dict]:
    """The overload tests' sample shifted in time and record numbers: a second file of the same stations."""
    from zhifa.overload.tests.test_tasks import sample

    rows = []
    for row in sample():
        row = dict(row, record_no=row["record_no"] + offset)
        row["passed_at"] = (datetime.fromisoformat(row["passed_at"]) + timedelta(days=days)).isoformat()
        rows.append(row)
    return rows


def large_sample(n: int, rng) -> list[dict]:
    """``n`` records over both stations in time order; about one in 40 over the limit, mostly by the registered
    vehicles (cases are opened for those), the rest by unregistered plates (review queue)."""
    from zhifa.overload.tests.conftest import at, record
    from zhifa.overload.tests.test_tasks import SECOND

    rows = []
    start = at(1, 0, 0)
    for i in range(n):
        on_b = i % 2 == 1
        heavy = rng.random() < 0.025
        plate = f"豫R·P{rng.randrange(4):04d}" if heavy and rng.random() < 0.7 else f"豫R·X{rng.randrange(3000):04d}"
        rows.append(record(100_000 + i, when=start + timedelta(seconds=20 * i), plate=plate,
                           gross=rng.randrange(52_000, 70_000) if heavy else rng.randrange(20_000, 47_000),
                           station=SECOND if on_b else "S411321A", device="D-B-1" if on_b else "D-A-1"))
    return rows
