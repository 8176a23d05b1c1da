"""Where the weigh-in-motion records live: Parquet part files under ``VAR_DIR/wim`` indexed by ``WimPart``
rows,
the rejection reports beside them, the files an interrupted run left behind, and the evidence query that reads
the raw records back (a missing file is an error, never "no record")."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils import timezone

from .models import WimPart


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


def orphan_files(older_than: timedelta = timedelta(hours=1)) -> list[Path]:
    """Part files without an index row (left by an interrupted run) older than ``older_than``."""
    root = wim_root()
    indexed = set(WimPart.objects.values_list("path", flat=True))
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    return [
        p
        for p in root.glob("day=*/station=*/*.parquet")
        if str(p.relative_to(root)) not in indexed and p.stat().st_mtime < cutoff
    ]


class WimFileMissing(Exception):  # noqa: N818 — a condition, not a programming error
    """An indexed part file is not on disk (deleted, moved, a restore without the WIM directory)."""

    def __init__(self, paths: list[str]):
        super().__init__(", ".join(paths))
        self.paths = paths


def query_records(
    *, station_code: str, day, record_nos: list[int] | None = None, plate: str | None = None
) -> pl.DataFrame:
    """Raw records of one station and day from the indexed part files (evidence queries). Raises
    :class:`WimFileMissing` when an indexed file is gone: a missing record is never read as "no record"."""
    paths = [
        str(wim_root() / p)
        for p in WimPart.objects.filter(station_code=station_code, day=day).values_list("path", flat=True)
    ]
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
