"""Celery ingest: the whole-file task and the partitioned ingest (several workers, one file) leave exactly what a
single ``zhifa wim ingest`` leaves — records, violations and their passes, cases."""

import json
import zlib
from datetime import date

import polars as pl
import pytest
from django.db import transaction

from zhifa.cases.models import Case
from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest, tasks
from zhifa.overload.models import IngestBatch, PendingMerge, Violation, ViolationPass, WimPart

from .conftest import at, die_on_call, record
from .factories import DeviceFactory, StationFactory

# Two stations on one road; their codes hash to different partitions of 2 (asserted below), so a vehicle passing
# both is seen by two partitions.
SECOND = "S411321D"


@pytest.fixture
def stations(station, world):
    other = StationFactory(organisation=world.brigade_a, code=SECOND, location_published_on=date(2020, 1, 1))
    DeviceFactory(station=other, code="D-B-1", accuracy_class=5, calibration_valid_from=date(2026, 1, 1),
                  calibration_valid_until=date(2026, 12, 31), review_passed_on=date(2020, 1, 1))
    for i in range(4):
        VehicleFactory(organisation=world.brigade_a, plate=f"豫R·P{i:04d}")  # P0004 stays unregistered → review
    return station, other


def sample() -> list[dict]:
    """60 records over three days, time-ordered, alternating stations; vehicles pass both stations within the
    merging window; one record sent twice (a duplicate in a later chunk) and one malformed row."""
    rows = []
    for i in range(60):
        on_b = i % 2 == 1
        rows.append(record(5000 + i, when=at(1 + i // 20, 6 + (i % 20) // 2, (i * 7) % 60), plate=f"豫R·P{i % 5:04d}",
                           gross=60_000 if i % 3 == 0 else 38_000, station=SECOND if on_b else "S411321A",
                           device="D-B-1" if on_b else "D-A-1"))
    rows.append(dict(rows[4]))  # the same record again
    bad = dict(rows[10])
    bad["record_no"], bad["gross_kg"] = 9999, "heavy"
    rows.append(bad)
    return rows


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def state(settings) -> dict:
    """Everything an ingest leaves, without database ids (sequences are not rolled back on PostgreSQL)."""
    paths = [str(ingest.wim_root() / p) for p in WimPart.objects.values_list("path", flat=True)]
    frame = pl.read_parquet(paths) if paths else pl.DataFrame({"station_code": [], "record_no": [], "flags": []})
    cases = {c.pk: (c.party_id, c.vehicle_id, c.status) for c in Case.objects.all()}
    return {
        "records": sorted(zip(frame["station_code"].to_list(), frame["record_no"].to_list(), frame["flags"].to_list(), strict=True)),
        "violations": sorted(
            (v.plate, v.station.code, v.key_record_no, v.pass_count, v.first_passed_at, v.last_passed_at, v.excess_kg,
             v.status, v.vehicle_id, str(v.proposed_amount), cases.get(v.case_id))
            for v in Violation.objects.select_related("station")),
        "passes": sorted(ViolationPass.objects.values_list("violation__key_record_no", "station_code", "record_no")),
        "cases": len(cases),
    }


def single_then_rollback(settings, tmp_path, path) -> tuple[dict, dict]:
    """What a single ingest leaves, measured inside a savepoint that is then rolled back (own WIM directory)."""
    before = settings.VAR_DIR
    settings.VAR_DIR = tmp_path / "single"
    with transaction.atomic():
        summary = tasks.ingest_file(str(path))
        expected = state(settings)
        transaction.set_rollback(True)
    settings.VAR_DIR = before
    return expected, summary


def test_station_codes_of_the_sample_fall_in_different_partitions():
    assert zlib.crc32(b"S411321A") % 2 != zlib.crc32(SECOND.encode()) % 2


@pytest.mark.parametrize("partitions", [2, 3])
def test_partitioned_ingest_equals_single_ingest(stations, settings, tmp_path, partitions):
    path = write_jsonl(tmp_path / "in.jsonl", sample())
    expected, single = single_then_rollback(settings, tmp_path, path)
    assert Violation.objects.count() == 0 and Case.objects.count() == 0  # rolled back
    assert expected["cases"] > 0 and any(v[3] > 1 for v in expected["violations"])  # merged across stations
    stations_of = {}
    for key, station_code, _no in expected["passes"]:
        stations_of.setdefault(key, set()).add(station_code)
    assert any(len(codes) == 2 for codes in stations_of.values())  # one violation holds passes of both stations

    summary = tasks.dispatch_ingest(path, partitions=partitions, chunk_rows=7).get()
    assert state(settings) == expected
    for key in ("read", "accepted", "rejected", "duplicates", "flagged", "violations", "passes_merged", "cases"):
        assert summary[key] == single[key], key
    assert (summary["read"], summary["rejected"], summary["duplicates"]) == (62, 1, 1) and summary["reconciles"]
    assert len(summary["batches"]) == partitions and len(summary["reports"]) == 1
    assert PendingMerge.objects.count() == 0 and not list((ingest.wim_root() / "pending").glob("*"))
    # Each partition batch reconciles on its own and carries the violations first seen in it.
    batches = IngestBatch.objects.filter(pk__in=summary["batches"])
    assert all(b.reconciles for b in batches)
    assert sum(b.violations_new for b in batches) == summary["violations"]
    json.dumps(summary)  # a Celery result


def test_partitioned_ingest_twice_stores_nothing_new(stations, tmp_path, settings):
    path = write_jsonl(tmp_path / "in.jsonl", sample())
    tasks.dispatch_ingest(path, partitions=2, chunk_rows=7).get()
    first = state(settings)
    again = tasks.dispatch_ingest(path, partitions=2, chunk_rows=7).get()
    assert (again["accepted"], again["duplicates"], again["violations"], again["passes_merged"], again["cases"]) == (0, 61, 0, 0, 0)
    assert state(settings) == first


def test_merge_killed_midway_and_rerun_gives_the_single_result(stations, tmp_path, settings, monkeypatch):
    path = write_jsonl(tmp_path / "in.jsonl", sample())
    expected, _ = single_then_rollback(settings, tmp_path, path)
    for k in range(2):
        ingest.ingest_partition(path, partition=k, partitions=2, chunk_rows=7)
    real = die_on_call(monkeypatch, ingest, "persist_violations", 2)
    with pytest.raises(KeyboardInterrupt):
        ingest.merge_pending(slice_rows=4)
    assert 0 < ViolationPass.objects.count() < len(expected["passes"]) and PendingMerge.objects.exists()
    monkeypatch.setattr(ingest, "persist_violations", real)
    ingest.merge_pending(slice_rows=4)
    from zhifa.overload.services import violations_open_cases

    violations_open_cases()
    assert state(settings) == expected


def test_ingest_file_task_summary_is_the_cli_reconciliation(stations, tmp_path):
    summary = tasks.ingest_file(str(write_jsonl(tmp_path / "in.jsonl", sample())), open_cases=False)
    batch = IngestBatch.objects.get(pk=summary["batches"][0])
    assert (summary["read"], summary["accepted"], summary["rejected"], summary["duplicates"]) == (
        batch.read, batch.accepted, batch.rejected, batch.duplicates) == (62, 60, 1, 1)
    assert summary["violations"] == batch.violations_new > 0 and summary["cases"] == 0 and not Case.objects.exists()
    assert json.loads(json.dumps(summary)) == summary


def test_cli_ingest_with_partitions(stations, tmp_path, capsys):
    from django.core.management import call_command

    call_command("wim", "ingest", str(write_jsonl(tmp_path / "in.jsonl", sample())), "--partitions", "2", "--no-cases")
    err = capsys.readouterr().err
    assert "对账一致" in err and "62" in err
    assert IngestBatch.objects.count() == 2 and Violation.objects.exists() and not Case.objects.exists()
