"""Background jobs of overload: ingest a weigh-in-motion file in a worker — whole (``overload.ingest_file``, the same
ingest as ``zhifa wim ingest FILE``) or shared by several workers (``dispatch_ingest``: one
``overload.ingest_partition`` per partition, then ``overload.ingest_merge`` once all are done).

Partitions split the file by station (``ingest.partition_mask``), so the deduplication key (station, record_no)
never spans two partitions. Passes of one vehicle do span stations, so partitions only stage their over-limit
passes; the merge step turns them into violations in time order, as a single ingest does. Every step is
idempotent: a partition or merge run again after a crash, or a whole file dispatched twice, stores nothing new.
"""

from __future__ import annotations

from pathlib import Path

from celery import chord, group, shared_task

from . import ingest
from .models import IngestBatch

COUNTS = ("read", "accepted", "rejected", "duplicates", "flagged")


def batch_summary(batch: IngestBatch) -> dict:
    """The reconciliation of one batch as a JSON-serialisable dict."""
    return {
        "batches": [batch.pk], **{name: getattr(batch, name) for name in COUNTS},
        "violations": batch.violations_new, "passes_merged": batch.passes_merged, "reconciles": batch.reconciles,
        "reports": [str(ingest.report_dir() / batch.report_name)] if batch.report_name else [],
    }


def _open_cases(options: dict, batch_ids: list[int]) -> int:
    """Cases for the violations these batches detected (the backlog is ``zhifa wim cases``)."""
    if not options.get("open_cases", True):
        return 0
    from .services import violations_open_cases

    return violations_open_cases(batch_ids=ingest.same_file_batches(batch_ids))


@shared_task(name="overload.ingest_file")
def ingest_file(path: str, **options) -> dict:
    """Ingest one file like ``zhifa wim ingest FILE``: options ``chunk_rows`` (default 500,000) and ``open_cases``
    (default true, as the command without ``--no-cases``). Returns the reconciliation and the cases opened."""
    batch = ingest.ingest_file(Path(path), chunk_rows=options.get("chunk_rows", 500_000))
    return {**batch_summary(batch), "cases": _open_cases(options, [batch.pk])}


@shared_task(name="overload.ingest_partition")
def ingest_partition(path: str, partition: int, partitions: int, **options) -> dict:
    """Ingest the records of one partition (its stations) of a file; over-limit passes are staged for the merge."""
    batch = ingest.ingest_partition(Path(path), partition=partition, partitions=partitions, sha256=options.get("sha256", ""),
                                    chunk_rows=options.get("chunk_rows", 500_000))
    return batch_summary(batch)


@shared_task(name="overload.ingest_merge")
def ingest_merge(results: list[dict], **options) -> dict:
    """The last step of a partitioned ingest: merge the staged passes into violations, open cases, and add up the
    partitions' reconciliation."""
    new, merged = ingest.merge_pending()
    total = {"batches": [], **dict.fromkeys(COUNTS, 0), "reports": []}
    for result in results:
        total["batches"] += result["batches"]
        total["reports"] += result["reports"]
        for name in COUNTS:
            total[name] += result[name]
    total["reconciles"] = total["read"] == total["accepted"] + total["rejected"] + total["duplicates"]
    return {**total, "violations": new, "passes_merged": merged, "cases": _open_cases(options, total["batches"])}


def dispatch_ingest(path: str | Path, partitions: int = 2, **options):
    """Fan a file out to ``partitions`` partition tasks (a Celery chord) whose merge step returns the combined
    summary; ``.get()`` on the result waits for it (immediately when tasks run eagerly, as locally)."""
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    path = str(Path(path).resolve())
    sha256 = ingest.file_sha256(Path(path))
    chunk = {"chunk_rows": options["chunk_rows"]} if "chunk_rows" in options else {}
    header = group(ingest_partition.s(path, k, partitions, sha256=sha256, **chunk) for k in range(partitions))
    return chord(header)(ingest_merge.s(open_cases=options.get("open_cases", True)))
