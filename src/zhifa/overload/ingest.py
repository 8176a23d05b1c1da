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

The record store (part files, evidence queries) is ``wim_store``; passes into violations is ``violation_merge``.
"""

from __future__ import annotations

import csv
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.core import audit

from . import wim
from .models import (
    Device,
    DimensionLimit,
    IngestBatch,
    PendingMerge,
    ScreeningPolicy,
    TolerancePolicy,
    ViolationPass,
    WimPart,
)
from .violation_merge import PASS_COLUMNS, persist_violations

# WimFileMissing, orphan_files and query_records stay reachable here (``ingest.query_records``) for the callers
# written before the split; new code imports them from ``wim_store``.
from .wim_store import (  # noqa: F401
    WimFileMissing,
    file_sha256,
    orphan_files,
    query_records,
    report_dir,
    wim_root,
)

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


def ingest_file(path: Path, *, actor=None, chunk_rows: int = 500_000,
                on_chunk: Callable[[Progress, int], None] | None = None) -> IngestBatch:
    """Ingest one CSV / JSON lines / Parquet file. Ingesting it again stores nothing new (all duplicates). Cases
    for what it found are opened by the caller (``services.violations_open_cases``), never from here."""
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
    return ingestor.finish(actor=actor)


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
