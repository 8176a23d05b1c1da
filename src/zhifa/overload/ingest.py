"""Streaming, idempotent ingest of weigh-in-motion records.

Commit protocol, per chunk (so an ingest killed at any point and run again leaves exactly the same records and
violations):

1. normalise and screen the chunk (vectorised); rejected rows are appended to the batch's report;
2. drop records already stored: the key is (station_code, record_no) — duplicates within the chunk and records
   present in committed part files of the same station and day whose record-number range overlaps the chunk's;
3. write the new records as Parquet part files ``wim/day=…/station=…/part-b<batch>-c<chunk>.parquet``;
4. in ONE database transaction: insert the :class:`WimPart` index rows, the new or merged violations and the
   batch counters. Only files with an index row exist for readers; a crash before 4 leaves an orphan file that
   nothing reads (``zhifa wim gc`` removes it) and the rerun stores those records again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.models import Vehicle

from . import wim
from .models import (
    Device,
    DimensionLimit,
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
    dimensions = [(wim.day_number(d.effective_from), d.max_height_mm, d.max_width_mm, d.max_length_mm)
                  for d in DimensionLimit.objects.order_by("effective_from")]
    return wim.Rules(devices=dev, tolerances=tolerances, limits=overload_rules.limit_table(on),
                     single_tyre_reduction_kg=version.single_tyre_reduction_kg,
                     min_speed=float(policy.min_speed_kmh), max_speed=float(policy.max_speed_kmh), dimension_limits=dimensions)


def screening_policy(on=None) -> ScreeningPolicy:
    on = on or timezone.localdate()
    policy = ScreeningPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        from zhifa.core.errors import DomainError

        raise DomainError("no_screening_policy", "没有施行中的筛查规则，请先在管理后台设置。")
    return policy


# ---------------------------------------------------------------- known record ids (deduplication)

class KnownIds:
    """Record numbers already committed for one (station, day) partition, read on demand from the indexed part files
    whose record-number range (``WimPart.min_record_no``/``max_record_no``) overlaps the chunk's — only ids inside
    the chunk's range are kept. Memory follows the chunk, not the file or the day: a station's numbers grow with
    time, so a fresh chunk usually overlaps nothing, and a file ingested again overlaps only its own earlier parts.
    This run's committed chunks are index rows like any other, so duplicates across chunks are found the same way."""

    def get(self, station: str, day: int, lo: int, hi: int) -> pl.Series:
        paths = [str(wim_root() / p) for p in WimPart.objects.filter(
            station_code=station, day=wim.day_from_number(day), min_record_no__lte=hi, max_record_no__gte=lo)
            .values_list("path", flat=True)]
        if not paths:
            return pl.Series("record_no", [], dtype=pl.Int64)
        return pl.scan_parquet(paths).select("record_no").filter(pl.col("record_no").is_between(lo, hi)).collect()["record_no"]


def _split_station_day(frame: pl.DataFrame):
    """(station, day) → rows, split on one integer key (splitting on the text column costs about twice as much)."""
    if frame.is_empty():
        return
    codes = frame["station_code"].unique(maintain_order=True)
    key = frame["station_code"].replace_strict(codes, pl.int_range(0, len(codes), eager=True, dtype=pl.Int64),
                                               return_dtype=pl.Int64) * 100_000 + frame["day"]
    for k, part in frame.with_columns(key.alias("_k")).partition_by("_k", as_dict=True, include_key=False, maintain_order=True).items():
        yield (codes[int(k[0]) // 100_000], int(k[0]) % 100_000), part


def _write_part(target: Path, part: pl.DataFrame) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part.select(wim.STORED_COLUMNS).sort("record_no").write_parquet(target, compression="zstd", compression_level=1, statistics=True)


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
    # Wall time per stage (seconds), for the benchmark's breakdown: screen, dedup, database, files.
    timings: dict = field(default_factory=lambda: {"screen": 0.0, "dedup": 0.0, "database": 0.0, "files": 0.0})


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
        self.timings = self.progress.timings
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
        started = time.perf_counter()
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
        self.timings["screen"] += time.perf_counter() - started
        started = time.perf_counter()
        before = screened.height
        fresh_parts = []
        for (station, day), part in _split_station_day(screened):
            # Duplicates inside the chunk: the key is (station, record_no), and the partition fixes the station.
            if part["record_no"].n_unique() != part.height:
                part = part.unique(subset=["record_no"], keep="first", maintain_order=True)
            known = self.known.get(station, day, int(part["record_no"].min()), int(part["record_no"].max()))
            if len(known):
                part = part.filter(~pl.col("record_no").is_in(known.implode()))
            if part.height:
                fresh_parts.append((station, day, part))
        accepted = sum(p.height for _, _, p in fresh_parts)
        self.progress.duplicates += before - accepted
        self.progress.accepted += accepted
        self.timings["dedup"] += time.perf_counter() - started
        self._commit(fresh_parts)
        return self.progress

    def _commit(self, parts: list[tuple[str, int, pl.DataFrame]]) -> None:
        index_rows = []
        over_frames = []
        flagged = 0
        names = [f"day={wim.day_from_number(day).isoformat()}/station={station}/part-b{self.batch.pk}-c{self.chunk_no:05d}.parquet"
                 for station, day, _part in parts]
        for rel, (station, day, part) in zip(names, parts, strict=True):
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
        # The part files are encoded on two threads (Polars releases the GIL) while the transaction runs — the database
        # work is mostly waiting for the server — and must all be complete before the index rows are committed.
        with ThreadPoolExecutor(max_workers=2) as pool:
            writing = [pool.submit(_write_part, wim_root() / rel, part) for rel, (_s, _d, part) in zip(names, parts, strict=True)]
            started = time.perf_counter()
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # Losing this commit in a crash is harmless by design (the part files are orphans and the rerun
                    # stores the records again), so the bulk transaction need not wait for the WAL flush.
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
                waited = time.perf_counter()
                for done in writing:
                    done.result()
                waited = time.perf_counter() - waited
                self.timings["files"] += waited
            # The transaction's time, commit included, without the wait for the files.
            self.timings["database"] += time.perf_counter() - started - waited

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

        violations_open_cases(actor=actor, batch_ids=same_file_batches([batch.pk]))
    return batch


def same_file_batches(batch_ids: list[int]) -> list[int]:
    """The batches that read the same file content as these (same SHA-256): a rerun after a crash finishes the cases
    its first run left, and opens nothing for violations other files brought."""
    shas = [s for s in IngestBatch.objects.filter(pk__in=batch_ids).values_list("sha256", flat=True) if s and s != "0" * 64]
    return sorted(set(batch_ids) | set(IngestBatch.objects.filter(sha256__in=shas).values_list("pk", flat=True)))


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
                "excess_kg", "dimension_over"]

def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def persist_violations(over: pl.DataFrame, *, batch: IngestBatch | None, window: timedelta, per_batch: bool = False):
    """Turn over-limit passes into violations: exempted passes (valid 超限运输许可 for that station and time, within
    its approved mass) are dropped; passes of the same vehicle within ``window`` of an existing violation's first
    pass join it (一事不再罚, 行政处罚法 Art. 29), the others form new violations, each opened by the first pass not
    within ``window`` of the previous one's. Vectorised (no per-pass Python); a pass whose plate was not read joins
    nothing (the vehicle is unknown). Returns (new violations, passes merged into existing ones); with
    ``per_batch`` (staged passes carrying a ``batch_id`` column) a dict batch id → (new, merged)."""
    over = wim.normalise_plates(over)
    if "batch_id" not in over.columns:
        over = over.with_columns(pl.lit(batch.pk if batch else None, dtype=pl.Int64).alias("batch_id"))
    # Time order, ties broken by the record's identity, so the result does not depend on how rows were chunked.
    over = over.select(*PASS_COLUMNS, pl.col("batch_id").cast(pl.Int64)).sort(["passed_ms", "station_code", "record_no"])
    win = int(window.total_seconds() * 1000)
    lo, hi = int(over["passed_ms"].min()) - win, int(over["passed_ms"].max()) + win
    read_plates = sorted(set(over.filter(pl.col("plate") != "")["plate"].to_list()))
    over = _drop_exempt(over, read_plates, lo, hi).with_row_index("i")
    if over.is_empty():
        return {} if per_batch else (0, 0)
    vehicle_key = [pl.col("plate"), pl.col("plate_colour")]
    # 1. Passes that join an existing violation (the latest-starting one within the window, as before).
    existing = _open_violations(read_plates, lo, hi)
    joined = (over.filter(pl.col("plate") != "").select("i", "plate", "plate_colour", "passed_ms")
              .join(existing, on=["plate", "plate_colour"], how="inner")
              .filter((pl.col("passed_ms") - pl.col("first_ms")).abs() < win)
              .sort(["i", "first_ms"], descending=[False, True]).group_by("i", maintain_order=True).first()
              .select("i", pl.col("id").alias("violation_id")))
    over = over.join(joined, on="i", how="left", maintain_order="left")
    # 2. The rest start new violations: per vehicle, the earliest pass opens one, passes less than the window after it
    # join it; repeat with what is left (rounds = violations per vehicle in the chunk, a handful).
    rest = over.filter(pl.col("violation_id").is_null()).select(
        "i", "passed_ms", pl.when(pl.col("plate") == "").then(pl.format("#{}#{}", "station_code", "record_no"))
        .otherwise(pl.concat_str(vehicle_key, separator="|")).alias("k"))
    leads = []
    while rest.height:
        start = rest.group_by("k", maintain_order=True).agg(pl.col("passed_ms").first().alias("start"), pl.col("i").first().alias("lead"))
        rest = rest.join(start, on="k", how="inner", maintain_order="left")
        inside = (pl.col("passed_ms") - pl.col("start")) < win
        leads.append(rest.filter(inside).select("i", "lead"))
        rest = rest.filter(~inside).drop("start", "lead")
    lead_of = pl.concat(leads) if leads else pl.DataFrame(schema={"i": pl.UInt32, "lead": pl.UInt32})
    new = over.join(lead_of.select(pl.col("lead").unique().alias("i")), on="i", how="semi").sort("i")
    ids = pl.Series("new_id", _allocate_ids(Violation, new.height), dtype=pl.Int64)
    lead_ids = new.select(pl.col("i").alias("lead")).with_columns(ids)
    over = (over.join(lead_of, on="i", how="left", maintain_order="left").join(lead_ids, on="lead", how="left", maintain_order="left")
            .with_columns(pl.col("violation_id").fill_null(pl.col("new_id")), pl.col("lead").is_not_null().alias("is_new"),
                          (pl.col("i") == pl.col("lead")).fill_null(False).alias("opens")))
    span = over.group_by("violation_id").agg(pl.len().alias("n"), pl.col("passed_ms").min().alias("lo"), pl.col("passed_ms").max().alias("hi"))
    # 3. The new violations carry the figures of the pass that opened them.
    devices = pl.DataFrame(list(Device.objects.values_list("id", "station_id", "station__organisation_id")),
                           schema={"device_id": pl.Int64, "station_id": pl.Int64, "organisation_id": pl.Int64}, orient="row")
    vehicles = _vehicles_for(sorted(set(new.filter(pl.col("plate") != "")["plate"].to_list())))
    rows = (new.with_columns(ids.alias("id")).join(span, left_on="id", right_on="violation_id", how="left", maintain_order="left")
            .join(devices, on="device_id", how="left", maintain_order="left")
            .join(vehicles, on=["plate", "plate_colour"], how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("plate") == "").then(None).otherwise(pl.col("vehicle_id")).alias("vehicle_id")))
    # Unmatched or unread plates go to the review queue, never to a guessed party.
    rows = rows.select(
        "id", "organisation_id", "station_id", "device_id", "plate", "plate_colour", "vehicle_id",
        pl.col("record_no").alias("key_record_no"), _when("lo").alias("first_passed_at"), _when("hi").alias("last_passed_at"),
        pl.col("n").alias("pass_count"), "axle_count", "is_combination", "gross_kg", "tolerance_percent", "tolerance_policy_id",
        "corrected_kg", "limit_kg", "excess_kg", "dimension_over",
        pl.when(pl.col("vehicle_id").is_null()).then(pl.lit(Violation.Status.REVIEW.value))
        .otherwise(pl.lit(Violation.Status.DETECTED.value)).alias("status"),
        "batch_id", pl.lit("").alias("notice_code"), pl.lit("").alias("note"), pl.lit("{}").alias("assessment"))
    _copy_frame(Violation, rows)
    _copy_frame(ViolationPass, over.select("violation_id", "station_code", "record_no", _when("passed_ms").alias("passed_at"),
                                           "gross_kg", "excess_kg"))
    touched = (existing.join(span, left_on="id", right_on="violation_id", how="inner")
               .select("id", (pl.col("pass_count") + pl.col("n")).alias("c"), _when(pl.min_horizontal("first_ms", "lo")).alias("f"),
                       _when(pl.max_horizontal("last_ms", "hi")).alias("l")))
    _bulk_update_merged(touched)
    counts = over.group_by("batch_id").agg(pl.col("opens").sum().alias("new"), (~pl.col("opens")).sum().alias("merged"))
    if per_batch:
        return {b: (int(n), int(m)) for b, n, m in counts.iter_rows()}
    return int(counts["new"].sum()), int(counts["merged"].sum())


def _when(column) -> pl.Expr:
    """Epoch milliseconds → a UTC timestamp column."""
    expr = pl.col(column) if isinstance(column, str) else column
    return pl.from_epoch(expr, time_unit="ms").dt.replace_time_zone("UTC")


def _by_plates(sql: str, plates: list[str], params: list, model_filter) -> list[tuple]:
    """Rows for many plates in one statement on PostgreSQL (the plates as one array, joined through ``unnest`` so
    each is an index probe); elsewhere in IN-lists of 900 through the ORM."""
    if not plates:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, [plates, *params])
            return cursor.fetchall()
    found = []
    for i in range(0, len(plates), 900):
        found += model_filter(plates[i:i + 900])
    return found


def _open_violations(plates: list[str], lo: int, hi: int) -> pl.DataFrame:
    """Existing violations of these plates whose first pass is within [lo, hi] (epoch ms) — the ones a pass of this
    chunk could join. Looked up by plate (indexed with the time), so the cost follows the chunk's plates."""
    lo_at, hi_at = datetime.fromtimestamp(lo / 1000, tz=UTC), datetime.fromtimestamp(hi / 1000, tz=UTC)
    fields = ("id", "plate", "plate_colour", "first_passed_at", "last_passed_at", "pass_count")
    found = _by_plates(
        f"SELECT {', '.join('v.' + f for f in fields)} FROM unnest(%s::text[]) AS wanted(plate) "
        f"JOIN {Violation._meta.db_table} v ON v.plate = wanted.plate "
        "WHERE v.first_passed_at >= %s AND v.first_passed_at <= %s", plates, [lo_at, hi_at],
        lambda part: list(Violation.objects.filter(plate__in=part, first_passed_at__gte=lo_at, first_passed_at__lte=hi_at)
                          .values_list(*fields)))
    return pl.DataFrame([(i, p, c, _ms(f), _ms(la), n) for i, p, c, f, la, n in found], orient="row",
                        schema={"id": pl.Int64, "plate": pl.String, "plate_colour": pl.String, "first_ms": pl.Int64,
                                "last_ms": pl.Int64, "pass_count": pl.Int64})


def _drop_exempt(over: pl.DataFrame, plates: list[str], lo: int, hi: int) -> pl.DataFrame:
    # A permit covers its route (stations) and period, up to the mass it approved.
    # Permits valid in the period are few next to the chunk's plates: select by time, match plates here.
    qs = Exemption.objects.filter(valid_from__lte=datetime.fromtimestamp(hi / 1000, tz=UTC),
                                  valid_until__gte=datetime.fromtimestamp(lo / 1000, tz=UTC)).prefetch_related("stations")
    wanted = set(plates)
    permits = [(ex.plate, ex.plate_colour, s.code, _ms(ex.valid_from), _ms(ex.valid_until), ex.max_gross_kg)
               for ex in qs if ex.plate in wanted for s in ex.stations.all()]
    if not permits:
        return over
    frame = pl.DataFrame(permits, orient="row", schema={"plate": pl.String, "plate_colour": pl.String, "station_code": pl.String,
                                                        "from_ms": pl.Int64, "until_ms": pl.Int64, "max_kg": pl.Int64})
    covered = (over.select("station_code", "record_no", "plate", "plate_colour", "passed_ms", "gross_kg")
               .join(frame, on=["plate", "plate_colour", "station_code"], how="inner")
               .filter(pl.col("passed_ms").is_between(pl.col("from_ms"), pl.col("until_ms")) & (pl.col("gross_kg") <= pl.col("max_kg")))
               .select("station_code", "record_no").unique())
    return over.join(covered, on=["station_code", "record_no"], how="anti", maintain_order="left")


def _vehicles_for(plates: list[str]) -> pl.DataFrame:
    table = Vehicle._meta.db_table
    found = _by_plates(f"SELECT v.id, v.plate, v.plate_colour FROM unnest(%s::text[]) AS wanted(plate) JOIN {table} v ON v.plate = wanted.plate",
                       plates, [],
                       lambda part: list(Vehicle.objects.filter(plate__in=part).values_list("id", "plate", "plate_colour")))
    return (pl.DataFrame(found, orient="row", schema={"vehicle_id": pl.Int64, "plate": pl.String, "plate_colour": pl.String})
            .unique(subset=["plate", "plate_colour"], keep="first"))


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


def _copy_frame(model_or_table, frame: pl.DataFrame) -> None:
    """Insert a frame's rows (columns named as the table's) inside the caller's transaction: on PostgreSQL one COPY
    whose CSV payload Polars writes (no per-row Python), else executemany."""
    if frame.is_empty():
        return
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            payload = io.BytesIO()
            frame.write_csv(payload, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.3f%:z")
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(payload.getbuffer())
        else:
            marks = ", ".join(["%s"] * frame.width)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                               [[_sqlite_value(v) for v in row] for row in frame.iter_rows()])


def _bulk_update_merged(touched: pl.DataFrame) -> None:
    """Pass counts and first/last times of violations that absorbed passes of this chunk, in one statement
    (PostgreSQL: COPY into a temporary table, then UPDATE … FROM) rather than one UPDATE per violation."""
    if touched.is_empty():
        return
    table = Violation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS overload_merge (id bigint, c integer, f timestamptz, l timestamptz) "
                           "ON COMMIT DELETE ROWS")
            _copy_frame("overload_merge", touched)
            cursor.execute(f"UPDATE {table} v SET pass_count = m.c, first_passed_at = m.f, last_passed_at = m.l "
                           "FROM overload_merge m WHERE v.id = m.id")
            cursor.execute("DELETE FROM overload_merge")
        else:
            cursor.executemany(f"UPDATE {table} SET pass_count = %s, first_passed_at = %s, last_passed_at = %s WHERE id = %s",
                               [[c, _sqlite_value(f), _sqlite_value(la), pk] for pk, c, f, la in touched.iter_rows()])


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


class WimFileMissing(Exception):  # noqa: N818 — a condition, not a programming error
    """An indexed part file is not on disk (deleted, moved, a restore without the WIM directory)."""

    def __init__(self, paths: list[str]):
        super().__init__(", ".join(paths))
        self.paths = paths


def query_records(*, station_code: str, day, record_nos: list[int] | None = None, plate: str | None = None) -> pl.DataFrame:
    """Raw records of one station and day from the indexed part files (evidence queries). Raises
    :class:`WimFileMissing` when an indexed file is gone: a missing record is never read as "no record"."""
    paths = [str(wim_root() / p) for p in WimPart.objects.filter(station_code=station_code, day=day).values_list("path", flat=True)]
    if not paths:
        return pl.DataFrame()
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise WimFileMissing(missing)
    wanted = pl.lit(True)
    if record_nos is not None:
        wanted &= pl.col("record_no").is_in(record_nos)
    if plate:
        wanted &= pl.col("plate") == plate
    # File by file, then aligned: files written before a column was added (dimension_over) lack it.
    return pl.concat([pl.scan_parquet(p).filter(wanted) for p in paths], how="diagonal_relaxed").collect()
