"""Streaming, idempotent ingest of weigh-in-motion records.

Commit protocol, per chunk (so an ingest killed at any point and run again leaves exactly the same records and
violations):

1. normalise and screen the chunk (vectorised); rejected rows are appended to the batch's report;
2. drop records already stored: the key is (station_code, record_no) — duplicates within the chunk and records
   present in committed part files of the same station and day (ids cached per partition, LRU-bounded);
3. write the new records as Parquet part files ``wim/day=…/station=…/part-b<batch>-c<chunk>.parquet``;
4. in ONE database transaction: insert the :class:`WimPart` index rows, the new or merged violations and the
   batch counters. Only files with an index row exist for readers; a crash before 4 leaves an orphan file that
   nothing reads (``zhifa wim gc`` removes it) and the rerun stores those records again.
"""

from __future__ import annotations

import csv
import hashlib
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.models import Vehicle

from . import wim
from .models import (
    Device,
    Exemption,
    IngestBatch,
    PendingMerge,
    ScreeningPolicy,
    TolerancePolicy,
    Violation,
    ViolationPass,
    WimPart,
)


def wim_root() -> Path:
    root = Path(settings.VAR_DIR) / "wim"
    root.mkdir(parents=True, exist_ok=True)
    return root


def report_dir() -> Path:
    path = wim_root() / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- rules as data

def load_rules(on=None) -> wim.Rules:
    """The devices, tolerance versions, Art. 3 limit table and validity policy in force (``on``: a date)."""
    from zhifa.discretion import overload_rules

    on = on or timezone.localdate()
    devices = list(Device.objects.select_related("station").values_list(
        "code", "id", "station__code", "accuracy_class", "calibration_valid_from", "calibration_valid_until",
        "review_passed_on", "station__location_published_on"))
    dev = pl.DataFrame(
        [(c, i, s, a, wim.day_number(f), wim.day_number(u), wim.day_number(r) if r else None, wim.day_number(p) if p else None)
         for c, i, s, a, f, u, r, p in devices],
        schema={"device_code": pl.String, "device_id": pl.Int64, "device_station": pl.String, "accuracy_class": pl.Int16,
                "cal_from": pl.Int32, "cal_until": pl.Int32, "review_on": pl.Int32, "published_on": pl.Int32}, orient="row")
    tolerances: dict[int, list] = {}
    for policy in TolerancePolicy.objects.order_by("accuracy_class", "effective_from"):
        tolerances.setdefault(policy.accuracy_class, []).append(
            (wim.day_number(policy.effective_from), float(policy.percent), policy.id))
    policy = screening_policy(on)
    version = overload_rules.rule_version(on)
    return wim.Rules(devices=dev, tolerances=tolerances, limits=overload_rules.limit_table(on),
                     single_tyre_reduction_kg=version.single_tyre_reduction_kg,
                     min_speed=float(policy.min_speed_kmh), max_speed=float(policy.max_speed_kmh))


def screening_policy(on=None) -> ScreeningPolicy:
    on = on or timezone.localdate()
    policy = ScreeningPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        from zhifa.core.errors import DomainError

        raise DomainError("no_screening_policy", "没有施行中的筛查规则，请先在管理后台设置。")
    return policy


# ---------------------------------------------------------------- known record ids (deduplication)

class KnownIds:
    """Record numbers already committed, per (station, day) partition, loaded from the indexed part files on
    first use and kept in an LRU bounded by ``max_ids`` so memory stays bounded whatever the file size."""

    def __init__(self, max_ids: int = 20_000_000):
        self.max_ids = max_ids
        self.parts: OrderedDict[tuple[str, int], pl.Series] = OrderedDict()
        self.size = 0

    def get(self, station: str, day: int) -> pl.Series:
        key = (station, day)
        if key in self.parts:
            self.parts.move_to_end(key)
            return self.parts[key]
        paths = [str(wim_root() / p) for p in WimPart.objects.filter(station_code=station, day=wim.day_from_number(day))
                 .values_list("path", flat=True)]
        ids = (pl.from_arrow(pq.read_table(paths, columns=["record_no"])["record_no"]) if paths
               else pl.Series("record_no", [], dtype=pl.Int64))
        self._put(key, ids)
        return ids

    def add(self, station: str, day: int, ids: pl.Series) -> None:
        key = (station, day)
        if key in self.parts:
            self.size -= len(self.parts[key])
            ids = pl.concat([self.parts[key], ids])
        self._put(key, ids)

    def _put(self, key, ids: pl.Series) -> None:
        self.parts[key] = ids
        self.parts.move_to_end(key)
        self.size += len(ids)
        while self.size > self.max_ids and len(self.parts) > 1:
            _, dropped = self.parts.popitem(last=False)
            self.size -= len(dropped)


# ---------------------------------------------------------------- the run

@dataclass
class Progress:
    """Counts of one run, reported to the caller after each chunk."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    flagged: int = 0
    violations_new: int = 0
    passes_merged: int = 0
    reject_samples: list = field(default_factory=list)


class Ingestor:
    """One ingest batch: feed it raw chunks (``feed``), then ``finish``."""

    def __init__(self, *, batch: IngestBatch, rules: wim.Rules | None = None, known: KnownIds | None = None,
                 defer_violations: bool = False):
        self.batch = batch
        # A partition of a partitioned ingest stages its over-limit passes (PendingMerge) instead of merging them:
        # another partition may hold passes of the same vehicle, so the merge runs once all partitions are done.
        self.defer_violations = defer_violations
        self.rules = rules or load_rules()
        self.known = known or KnownIds()
        self.progress = Progress()
        self.chunk_no = 0
        self.window = timedelta(hours=screening_policy().merge_window_hours)
        self.report_path = report_dir() / f"batch-{batch.pk}-rejected.csv"
        self._report = None
        self._report_writer = None

    # -- rejected rows go to a CSV report the user downloads
    def _reject(self, rejected: pl.DataFrame) -> None:
        if rejected.is_empty():
            return
        if self._report is None:
            self._report = open(self.report_path, "w", newline="", encoding="utf-8-sig")
            self._report_writer = csv.writer(self._report)
            self._report_writer.writerow(["原因", *wim.FIELD_NAMES])
        columns = [c for c in wim.FIELD_NAMES]
        frame = rejected.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in columns if c not in rejected.columns])
        for row in frame.select("reason", *columns).iter_rows():
            self._report_writer.writerow(["" if v is None else v for v in row])

    def feed(self, raw: pl.DataFrame) -> Progress:
        self.chunk_no += 1
        self.progress.read += raw.height
        records, rejected = wim.normalise(raw)
        del raw  # keep one copy of the chunk alive at a time (bounded memory)
        reasons = wim.device_reject_reasons(records, self.rules)
        bad_device = reasons.is_not_null()
        if bad_device.any():
            text = records.filter(bad_device).with_columns(reason=reasons.filter(bad_device))
            rejected = pl.concat([rejected, text.select([pl.col(c).cast(pl.String) for c in text.columns if c in wim.FIELD_NAMES] + ["reason"])],
                                 how="diagonal_relaxed")
            records = records.filter(~bad_device)
        self._reject(rejected)
        self.progress.rejected += rejected.height
        screened = wim.screen(records, self.rules)
        del records
        before = screened.height
        fresh_parts = []
        for (station, day), part in screened.partition_by(["station_code", "day"], as_dict=True, maintain_order=True).items():
            # Duplicates inside the chunk: the key is (station, record_no), and the partition fixes the station.
            if part["record_no"].n_unique() != part.height:
                part = part.unique(subset=["record_no"], keep="first", maintain_order=True)
            known = self.known.get(station, day)
            if len(known):
                part = part.filter(~pl.col("record_no").is_in(known.implode()))
            if part.height:
                fresh_parts.append((station, day, part))
        accepted = sum(p.height for _, _, p in fresh_parts)
        self.progress.duplicates += before - accepted
        self.progress.accepted += accepted
        self._commit(fresh_parts)
        return self.progress

    def _commit(self, parts: list[tuple[str, int, pl.DataFrame]]) -> None:
        index_rows = []
        over_frames = []
        flagged = 0
        for station, day, part in parts:
            rel = f"day={wim.day_from_number(day).isoformat()}/station={station}/part-b{self.batch.pk}-c{self.chunk_no:05d}.parquet"
            target = wim_root() / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            part.select(wim.STORED_COLUMNS).sort("record_no").write_parquet(target, compression="zstd", compression_level=1, statistics=True)
            n_flagged = int((part["flags"] != 0).sum())
            flagged += n_flagged
            index_rows.append(WimPart(batch=self.batch, station_code=station, day=wim.day_from_number(day), path=rel,
                                      rows=part.height, min_record_no=int(part["record_no"].min()),
                                      max_record_no=int(part["record_no"].max()), flagged=n_flagged))
            over = part.filter(pl.col("over"))
            if over.height:
                over_frames.append(over)
        over_all = pl.concat(over_frames) if over_frames else None
        staged = None
        if over_all is not None and self.defer_violations:
            staged = self._stage(over_all)
            over_all = None
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Losing this commit in a crash is harmless by design (the part files are orphans and the rerun stores
                # the records again), so the bulk transaction need not wait for the WAL flush.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            WimPart.objects.bulk_create(index_rows, batch_size=500)
            if staged is not None:
                staged.save()
            new, merged = persist_violations(over_all, batch=self.batch, window=self.window) if over_all is not None else (0, 0)
            self.progress.flagged += flagged
            self.progress.violations_new += new
            self.progress.passes_merged += merged
            self._save_counts()
        for station, day, part in parts:
            self.known.add(station, day, part["record_no"])

    def _stage(self, over: pl.DataFrame) -> PendingMerge:
        rel = f"pending/b{self.batch.pk}-c{self.chunk_no:05d}.parquet"
        target = wim_root() / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        over.select(PASS_COLUMNS).with_columns(pl.lit(self.batch.pk, dtype=pl.Int64).alias("batch_id")).write_parquet(
            target, compression="zstd", compression_level=1)
        return PendingMerge(batch=self.batch, path=rel, rows=over.height)

    def _save_counts(self, **extra) -> None:
        p = self.progress
        IngestBatch.objects.filter(pk=self.batch.pk).update(
            read=p.read, accepted=p.accepted, rejected=p.rejected, duplicates=p.duplicates, flagged=p.flagged,
            violations_new=p.violations_new, passes_merged=p.passes_merged, **extra)

    def finish(self, *, actor=None) -> IngestBatch:
        if self._report is not None:
            self._report.close()
        report_name = self.report_path.name if self.progress.rejected else ""
        with transaction.atomic():
            self._save_counts(status=IngestBatch.Status.DONE, finished_at=timezone.now(), report_name=report_name)
            self.batch.refresh_from_db()
            p = self.progress
            audit.record(actor=actor, action="wim.ingest", subject=self.batch,
                         summary=f"称重数据导入 {self.batch.name}：读取{p.read}，接收{p.accepted}，拒收{p.rejected}，"
                                 f"重复{p.duplicates}，新增违法{p.violations_new}",
                         after={"read": p.read, "accepted": p.accepted, "rejected": p.rejected, "duplicates": p.duplicates,
                                "flagged": p.flagged, "violations_new": p.violations_new, "sha256": self.batch.sha256},
                         organisation=self.batch.station.organisation if self.batch.station_id else None)
        return self.batch


def ingest_file(path: Path, *, actor=None, chunk_rows: int = 500_000, on_chunk: Callable[[Progress, int], None] | None = None,
                open_cases: bool = False) -> IngestBatch:
    """Ingest one CSV / JSON lines / Parquet file. Ingesting it again stores nothing new (all duplicates)."""
    path = Path(path)
    wim.detect_format(path)
    batch = IngestBatch.objects.create(source=IngestBatch.Source.FILE, name=path.name, sha256=file_sha256(path), actor=actor)
    ingestor = Ingestor(batch=batch)
    for chunk in wim.read_chunks(path, chunk_rows=chunk_rows):
        rows = chunk.height
        progress = ingestor.feed(chunk)
        del chunk  # not held while the next chunk is read
        if on_chunk:
            on_chunk(progress, rows)
    batch = ingestor.finish(actor=actor)
    if open_cases:
        from .services import violations_open_cases

        violations_open_cases(actor=actor)
    return batch


def ingest_records(rows: list[dict], *, station, name: str, body_sha256: str) -> IngestBatch:
    """Records pushed by a station over the API (same protocol, one chunk)."""
    batch = IngestBatch.objects.create(source=IngestBatch.Source.PUSH, name=name, sha256=body_sha256, station=station)
    ingestor = Ingestor(batch=batch)
    frame = wim.frame_from_dicts(rows)
    # A station may only push its own records.
    frame = frame.with_columns(pl.when(pl.col("station_code") == station.code).then(pl.col("station_code"))
                               .otherwise(pl.lit("≠" + station.code)).alias("station_code"))
    ingestor.feed(frame)
    return ingestor.finish()


# ---------------------------------------------------------------- partitioned ingest (several workers, one file)

def partition_mask(raw: pl.DataFrame, *, partition: int, partitions: int) -> pl.Series:
    """Rows of ``raw`` that belong to ``partition`` of ``partitions``: by a stable hash (CRC-32) of the station
    code, so a station's records — the deduplication key is (station, record_no) — always land in the same
    partition, in every process. Rows without a station code go to partition 0 (they are rejected there)."""
    if "station_code" not in raw.columns:
        return pl.Series([partition == 0] * raw.height, dtype=pl.Boolean)
    codes = raw["station_code"].cast(pl.String).str.strip_chars().fill_null("")
    values = codes.unique().to_list()
    owner = [zlib.crc32(v.encode()) % partitions for v in values]
    return codes.replace_strict(values, owner, return_dtype=pl.Int32) == partition


def ingest_partition(path: Path, *, partition: int, partitions: int, sha256: str = "", actor=None,
                     chunk_rows: int = 500_000) -> IngestBatch:
    """One partition of a file (its stations' records): stored like a single ingest, its over-limit passes
    staged for :func:`merge_pending`. Idempotent like ``ingest_file``."""
    path = Path(path)
    wim.detect_format(path)
    batch = IngestBatch.objects.create(source=IngestBatch.Source.FILE, name=f"{path.name}（分区 {partition + 1}/{partitions}）",
                                       sha256=sha256 or file_sha256(path), actor=actor)
    ingestor = Ingestor(batch=batch, defer_violations=True)
    for chunk in wim.read_chunks(path, chunk_rows=chunk_rows):
        mine = chunk.filter(partition_mask(chunk, partition=partition, partitions=partitions))
        del chunk
        ingestor.feed(mine)
    return ingestor.finish(actor=actor)


def merge_pending(*, slice_rows: int = 200_000) -> tuple[int, int]:
    """Merge every staged over-limit pass into violations, in time order, as a single ingest would; then remove
    the staged files. Safe to run again after a crash: passes already attached to a violation (``ViolationPass``
    is unique per record) are skipped. Returns (new violations, passes merged into existing ones)."""
    pending = list(PendingMerge.objects.order_by("pk"))
    if not pending:
        return 0, 0
    files = [wim_root() / p.path for p in pending]
    over = pl.read_parquet([str(f) for f in files]).sort(["passed_ms", "station_code", "record_no"])
    window = timedelta(hours=screening_policy().merge_window_hours)
    totals = [0, 0]
    for start in range(0, over.height, slice_rows):
        part = over.slice(start, slice_rows)
        with transaction.atomic():
            part = _not_yet_merged(part)
            if part.height:
                per_batch = persist_violations(part, batch=None, window=window, per_batch=True)
                for batch_id, (new, merged) in per_batch.items():
                    IngestBatch.objects.filter(pk=batch_id).update(violations_new=F("violations_new") + new,
                                                                   passes_merged=F("passes_merged") + merged)
                    totals[0] += new
                    totals[1] += merged
    with transaction.atomic():
        PendingMerge.objects.filter(pk__in=[p.pk for p in pending]).delete()
    for f in files:
        f.unlink(missing_ok=True)
    return totals[0], totals[1]


def _not_yet_merged(over: pl.DataFrame) -> pl.DataFrame:
    """Drop passes already attached to a violation (left by an interrupted :func:`merge_pending`)."""
    done = []
    for (station,), part in over.partition_by(["station_code"], as_dict=True).items():
        lo, hi = int(part["record_no"].min()), int(part["record_no"].max())
        done += ViolationPass.objects.filter(station_code=station, record_no__gte=lo, record_no__lte=hi).values_list(
            "station_code", "record_no")
    if not done:
        return over
    seen = pl.DataFrame(done, schema={"station_code": pl.String, "record_no": pl.Int64}, orient="row")
    return over.join(seen, on=["station_code", "record_no"], how="anti", maintain_order="left")


# ---------------------------------------------------------------- violations

# The columns of an over-limit pass that ``persist_violations`` reads (and a partitioned ingest stages).
PASS_COLUMNS = ["record_no", "station_code", "device_id", "passed_ms", "plate", "plate_colour", "axle_count",
                "is_combination", "gross_kg", "tolerance_percent", "tolerance_policy_id", "corrected_kg", "limit_kg",
                "excess_kg"]

def _aware(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def persist_violations(over: pl.DataFrame, *, batch: IngestBatch | None, window: timedelta, per_batch: bool = False):
    """Turn over-limit passes into violations: exempted passes (valid 超限运输许可 for that station and time, within
    its approved mass) are dropped; passes of the same vehicle within ``window`` of an existing violation's first
    pass join it (一事不再罚, 行政处罚法 Art. 29). Returns (new violations, passes merged into existing ones); with
    ``per_batch`` (staged passes carrying a ``batch_id`` column) a dict batch id → (new, merged)."""
    # Time order, ties broken by the record's identity, so the result does not depend on how rows were chunked.
    over = wim.normalise_plates(over).sort(["passed_ms", "station_code", "record_no"])
    if "batch_id" not in over.columns:
        over = over.with_columns(pl.lit(batch.pk if batch else None, dtype=pl.Int64).alias("batch_id"))
    lo, hi = _aware(int(over["passed_ms"].min())) - window, _aware(int(over["passed_ms"].max())) + window
    plates = set(zip(over["plate"].to_list(), over["plate_colour"].to_list(), strict=True))
    exemptions = _exemptions_for(plates, lo, hi)
    station_ids = dict(Device.objects.values_list("id", "station_id"))
    station_orgs = dict(Device.objects.values_list("id", "station__organisation_id"))
    # Existing violations that a pass of this chunk could join.
    open_by_vehicle: dict[tuple[str, str], list[dict]] = {}
    # Looked up by plate (indexed with the time), so the cost follows the chunk's over-limit plates, not the day's
    # violations.
    plate_list = sorted({p for p, _ in plates})
    for i in range(0, len(plate_list), 900):
        for row in Violation.objects.filter(plate__in=plate_list[i:i + 900], first_passed_at__gte=lo, first_passed_at__lte=hi).values(
                "id", "plate", "plate_colour", "first_passed_at", "last_passed_at", "pass_count"):
            key = (row["plate"], row["plate_colour"])
            if key in plates:
                row["new"] = False
                open_by_vehicle.setdefault(key, []).append(row)
    vehicles = _vehicles_for(plates)
    new_rows: list[dict] = []
    pass_rows: list[tuple] = []
    touched: dict[int, dict] = {}
    counts: dict = {}
    for rec in over.iter_rows(named=True):
        key = (rec["plate"], rec["plate_colour"])
        at = _aware(rec["passed_ms"])
        if _exempt(exemptions.get(key, ()), rec, at):
            continue
        target = None
        for candidate in open_by_vehicle.get(key, ()):
            if abs(at - candidate["first_passed_at"]) < window:
                target = candidate
                break
        if target is None:
            vehicle_id = vehicles.get(key) if rec["plate"] else None
            target = {
                "id": None, "new": True, "plate": rec["plate"], "plate_colour": rec["plate_colour"], "first_passed_at": at,
                "last_passed_at": at, "pass_count": 0, "station_id": station_ids[rec["device_id"]],
                "organisation_id": station_orgs[rec["device_id"]], "device_id": rec["device_id"], "vehicle_id": vehicle_id,
                "key_record_no": rec["record_no"], "axle_count": rec["axle_count"], "is_combination": rec["is_combination"],
                "gross_kg": rec["gross_kg"], "tolerance_percent": rec["tolerance_percent"],
                "tolerance_policy_id": rec["tolerance_policy_id"], "corrected_kg": rec["corrected_kg"],
                "limit_kg": rec["limit_kg"], "excess_kg": rec["excess_kg"], "batch_id": rec["batch_id"],
                # Unmatched or unread plates go to the review queue, never to a guessed party.
                "status": (Violation.Status.DETECTED if vehicle_id else Violation.Status.REVIEW).value,
            }
            new_rows.append(target)
            open_by_vehicle.setdefault(key, []).append(target)
            counts.setdefault(rec["batch_id"], [0, 0])[0] += 1
        else:
            touched[id(target)] = target
            counts.setdefault(rec["batch_id"], [0, 0])[1] += 1
        target["pass_count"] += 1
        target["first_passed_at"] = min(target["first_passed_at"], at)
        target["last_passed_at"] = max(target["last_passed_at"], at)
        pass_rows.append((target, rec["station_code"], rec["record_no"], at, rec["gross_kg"], rec["excess_kg"]))
    ids = _allocate_ids(Violation, len(new_rows))
    for row, pk in zip(new_rows, ids, strict=True):
        row["id"] = pk
    now_cols = ["id", "organisation_id", "station_id", "device_id", "plate", "plate_colour", "vehicle_id", "key_record_no",
                "first_passed_at", "last_passed_at", "pass_count", "axle_count", "is_combination", "gross_kg",
                "tolerance_percent", "tolerance_policy_id", "corrected_kg", "limit_kg", "excess_kg", "status", "batch_id"]
    _bulk_insert(Violation, now_cols + ["notice_code", "note", "driver_id", "source_unit_id", "case_id", "assessment",
                                        "proposed_amount", "notice_sent_at"],
                 [[r[c] for c in now_cols] + ["", "", None, None, None, "{}", None, None] for r in new_rows])
    _bulk_insert(ViolationPass, ["violation_id", "station_code", "record_no", "passed_at", "gross_kg", "excess_kg"],
                 [[t["id"], s, n, at, g, e] for t, s, n, at, g, e in pass_rows])
    _bulk_update_merged([row for row in touched.values() if not row["new"]])
    if per_batch:
        return {k: tuple(v) for k, v in counts.items()}
    merged = len(pass_rows) - len(new_rows)
    return len(new_rows), merged


def _exemptions_for(plates: set, lo: datetime, hi: datetime) -> dict:
    found: dict = {}
    plate_values = {p for p, _ in plates if p}
    qs = Exemption.objects.filter(valid_from__lte=hi, valid_until__gte=lo).prefetch_related("stations")
    for ex in qs:
        if ex.plate in plate_values and (ex.plate, ex.plate_colour) in plates:
            found.setdefault((ex.plate, ex.plate_colour), []).append(
                (ex.valid_from, ex.valid_until, {s.code for s in ex.stations.all()}, ex.max_gross_kg))
    return found


def _exempt(exemptions: Iterable, rec: dict, at: datetime) -> bool:
    # A permit covers its route and period, up to the mass it approved.
    return any(start <= at <= end and rec["station_code"] in codes and rec["gross_kg"] <= max_kg
               for start, end, codes, max_kg in exemptions)


def _vehicles_for(plates: set) -> dict:
    found = {}
    plate_list = sorted({p for p, _ in plates if p})
    for i in range(0, len(plate_list), 900):
        for pk, plate, colour in Vehicle.objects.filter(plate__in=plate_list[i:i + 900]).values_list("id", "plate", "plate_colour"):
            found[(plate, colour)] = pk
    return found


def _allocate_ids(model, n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


def _bulk_insert(model, columns: list[str], rows: list[list]) -> None:
    """Insert many rows fast: PostgreSQL COPY, else executemany (inside the caller's transaction)."""
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               [[_sqlite_value(v) for v in row] for row in rows])


def _bulk_update_merged(rows: list[dict]) -> None:
    """Pass counts and first/last times of violations that absorbed passes of this chunk, in one statement
    (PostgreSQL: COPY into a temporary table, then UPDATE … FROM) rather than one UPDATE per violation."""
    if not rows:
        return
    table = Violation._meta.db_table
    values = [[r["id"], r["pass_count"], r["first_passed_at"], r["last_passed_at"]] for r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS overload_merge (id bigint, c integer, f timestamptz, l timestamptz) "
                           "ON COMMIT DELETE ROWS")
            with cursor.cursor.copy("COPY overload_merge (id, c, f, l) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(f"UPDATE {table} v SET pass_count = m.c, first_passed_at = m.f, last_passed_at = m.l "
                           "FROM overload_merge m WHERE v.id = m.id")
            cursor.execute("DELETE FROM overload_merge")
        else:
            cursor.executemany(f"UPDATE {table} SET pass_count = %s, first_passed_at = %s, last_passed_at = %s WHERE id = %s",
                               [[c, _sqlite_value(f), _sqlite_value(la), pk] for pk, c, f, la in values])


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def orphan_files(older_than: timedelta = timedelta(hours=1)) -> list[Path]:
    """Part files without an index row (left by an interrupted run) older than ``older_than``."""
    root = wim_root()
    indexed = set(WimPart.objects.values_list("path", flat=True))
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    return [p for p in root.glob("day=*/station=*/*.parquet")
            if str(p.relative_to(root)) not in indexed and p.stat().st_mtime < cutoff]


def query_records(*, station_code: str, day, record_nos: list[int] | None = None, plate: str | None = None) -> pl.DataFrame:
    """Raw records of one station and day from the indexed part files (evidence queries)."""
    paths = [str(wim_root() / p) for p in WimPart.objects.filter(station_code=station_code, day=day).values_list("path", flat=True)]
    if not paths:
        return pl.DataFrame()
    lf = pl.scan_parquet(paths)
    if record_nos is not None:
        lf = lf.filter(pl.col("record_no").is_in(record_nos))
    if plate:
        lf = lf.filter(pl.col("plate") == plate)
    return lf.collect()
