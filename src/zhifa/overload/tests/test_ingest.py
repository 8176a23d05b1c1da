"""Ingest: formats, reconciliation, rejection report, idempotence (twice; killed midway and rerun)."""

import json
from datetime import date

import polars as pl
import pytest

from zhifa.core.models import Event
from zhifa.overload import ingest, wim
from zhifa.overload.models import IngestBatch, Violation, ViolationPass, WimPart

from .conftest import at, die_on_call, record


def write(path, rows, fmt):
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        frame = wim.frame_from_dicts(rows)
        if fmt == "csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path)
    return path


def stored_records(wim_dir) -> list[tuple]:
    paths = [str(wim_dir / p) for p in WimPart.objects.values_list("path", flat=True)]
    if not paths:
        return []
    frame = pl.read_parquet(paths)
    return sorted(zip(frame["station_code"].to_list(), frame["record_no"].to_list(), frame["flags"].to_list(), strict=True))


def violations_state():
    return sorted(Violation.objects.values_list("plate", "key_record_no", "pass_count", "excess_kg", "status"))


def sample(n=40):
    rows = []
    for i in range(n):
        heavy = i % 10 == 0
        rows.append(record(1000 + i, when=at(1 + i // 20, 8, i % 20), plate=f"豫R·B{i % 15:04d}",
                           gross=56_000 if heavy else 40_000))
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_file_ingested_twice_stores_nothing_new(station, wim_dir, tmp_path, fmt):
    path = write(tmp_path / f"in.{fmt}", sample(), fmt)
    first = ingest.ingest_file(path, chunk_rows=7)
    assert (first.read, first.accepted, first.rejected, first.duplicates) == (40, 40, 0, 0)
    assert first.reconciles and first.status == IngestBatch.Status.DONE
    records, violations, passes = stored_records(wim_dir), violations_state(), ViolationPass.objects.count()
    assert len(records) == 40 and len(violations) == 4
    second = ingest.ingest_file(path, chunk_rows=7)
    assert (second.read, second.accepted, second.duplicates, second.violations_new) == (40, 0, 40, 0)
    assert stored_records(wim_dir) == records
    assert violations_state() == violations
    assert ViolationPass.objects.count() == passes


def test_killed_midway_and_rerun_leaves_the_same_records_and_violations(station, wim_dir, tmp_path, monkeypatch):
    path = write(tmp_path / "in.csv", sample(), "csv")
    ingest.ingest_file(path, chunk_rows=7)
    expected_records, expected_violations = stored_records(wim_dir), violations_state()
    # Start again from nothing and die in the third chunk after its Parquet files were written.
    Violation.objects.all().delete()
    WimPart.objects.all().delete()
    real = die_on_call(monkeypatch, ingest, "persist_violations", 3)
    with pytest.raises(KeyboardInterrupt):
        ingest.ingest_file(path, chunk_rows=7)
    assert 0 < len(stored_records(wim_dir)) < 40  # orphan files of the dead chunk are not counted
    monkeypatch.setattr(ingest, "persist_violations", real)
    rerun = ingest.ingest_file(path, chunk_rows=7)
    assert rerun.reconciles and rerun.duplicates > 0
    assert stored_records(wim_dir) == expected_records
    assert violations_state() == expected_violations
    assert ingest.orphan_files(older_than=ingest.timedelta(0))  # the dead chunk's files, never read


def test_rejected_rows_have_reasons_and_a_report(station, tmp_path):
    rows = sample(5)
    rows[1]["gross_kg"] = "abc"
    rows[2]["device_code"] = "NOPE"
    rows[3]["vehicle_class"] = "tank"
    rows[4]["passed_at"] = ""
    path = write(tmp_path / "in.jsonl", rows, "jsonl")
    batch = ingest.ingest_file(path)
    assert (batch.read, batch.accepted, batch.rejected) == (5, 1, 4)
    report = (ingest.report_dir() / batch.report_name).read_text(encoding="utf-8-sig")
    for reason in ("缺少或格式错误：总质量", "未登记的设备编号", "车辆类别应为", "缺少或格式错误：过车时间"):
        assert reason in report
    assert Event.objects.filter(action="wim.ingest", subject_id=str(batch.pk)).exists()


def test_query_records_for_evidence(station, tmp_path):
    ingest.ingest_file(write(tmp_path / "in.parquet", sample(), "parquet"))
    found = ingest.query_records(station_code="S411321A", day=date(2026, 11, 1), record_nos=[1000, 1001])
    assert found["record_no"].to_list() == [1000, 1001]
    assert found["image_refs"][0] == "img/1000-1.jpg;img/1000-2.jpg"


def test_cli_ingest_prints_reconciliation(station, tmp_path, capsys):
    from django.core.management import call_command

    path = write(tmp_path / "in.csv", sample(), "csv")
    call_command("wim", "ingest", str(path), "--no-cases")
    err = capsys.readouterr().err
    assert "对账一致" in err and "读取" in err
    call_command("wim", "ingest", str(path), "--no-cases")
    assert IngestBatch.objects.order_by("-pk").first().duplicates == 40


def test_cli_export_schema_is_json(capsys):
    from django.core.management import call_command

    call_command("wim", "export", "X", "--schema")
    assert json.loads(capsys.readouterr().out)["title"].startswith("超限")
