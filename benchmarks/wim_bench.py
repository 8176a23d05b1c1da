"""WIM ingest benchmark (issue 5): N deterministic synthetic weigh-in-motion records → screening only, and
ingest + screening + violation persistence end to end, next to DuckDB's plain scan of the same file.

    .venv/bin/python benchmarks/wim_bench.py --records 10000000            # SQLite (fresh file in a temp dir)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/wim_bench.py --records 10000000

On PostgreSQL the benchmark creates and drops its own database (``--db-name``, default ``zhifa_wim_bench``; never a
``test_*`` name, which belong to test runs) on the given server.
Prints records/s, violations/s and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AXLE_MIX = [  # (axles, combination, limit kg, share) — a realistic trunk-road goods-vehicle mix
    (2, False, 18000, 0.30), (3, False, 25000, 0.08), (3, True, 27000, 0.02), (4, False, 31000, 0.07),
    (4, True, 36000, 0.03), (5, True, 43000, 0.08), (6, True, 49000, 0.42),
]
GROUPS = {(2, False): "1-1", (3, False): "1-2", (3, True): "1-1-1", (4, False): "1-1-2", (4, True): "1-1-2",
          (5, True): "1-2-2", (6, True): "1-2-3"}
STATIONS = 40


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, n: int, *, seed: int = 2026, chunk: int = 1_000_000, over_share: float = 0.04) -> None:
    """Write N records as Parquet, chunk by chunk (bounded memory), the same for the same seed."""
    import numpy as np
    import polars as pl
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    shares = np.array([m[3] for m in AXLE_MIX])
    pool = max(2_000, n // 40)
    letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
    start_ms = 1_793_462_400_000  # 2026-11-01 00:00 Beijing
    span_ms = 86_400_000 * max(1, n // 10_000_000)
    writer = None
    for offset in range(0, n, chunk):
        size = min(chunk, n - offset)
        idx = np.arange(offset, offset + size, dtype=np.int64)
        kind = rng.choice(len(AXLE_MIX), size=size, p=shares)
        axles = np.array([m[0] for m in AXLE_MIX])[kind]
        comb = np.array([m[1] for m in AXLE_MIX])[kind]
        limit = np.array([m[2] for m in AXLE_MIX])[kind]
        over = rng.random(size) < over_share
        factor = np.where(over, rng.uniform(1.07, 1.6, size), rng.uniform(0.35, 0.99, size))
        gross = (limit * factor).astype(np.int32)
        vehicle = rng.integers(0, pool, size)
        group_names = [GROUPS[(m[0], m[1])] for m in AXLE_MIX]
        single_drive = (axles == 6) & (rng.random(size) < 0.1)
        frame = pl.DataFrame({
            "record_no": idx + 1,
            "station_no": (idx % STATIONS).astype(np.int32),
            "lane": (rng.integers(1, 5, size)).astype(np.int16),
            "up": rng.random(size) < 0.5,
            "passed_at": start_ms + (idx * span_ms) // n,
            "vehicle": vehicle,
            "plate_colour": "yellow",
            "comb": comb,
            "kind": kind.astype(np.int32),
            "single_drive": single_drive,
            "axle_count": axles.astype(np.int16),
            "single_tyre_axles": np.zeros(size, dtype=np.int16),
            "gross_kg": gross,
            "speed_kmh": np.clip(rng.normal(68, 12, size), 0, 140).astype(np.float32),
            "length_mm": rng.integers(9000, 18000, size).astype(np.int32),
            "width_mm": rng.integers(2400, 2550, size).astype(np.int32),
            "height_mm": rng.integers(3000, 4000, size).astype(np.int32),
            "lane_change": rng.random(size) < 0.003,
        })
        letters_s = pl.Series(list(letters))
        frame = frame.with_columns(
            (pl.lit("BS") + pl.col("station_no").cast(pl.String).str.zfill(3)).alias("station_code"),
            pl.when(pl.col("up")).then(pl.lit("上行")).otherwise(pl.lit("下行")).alias("direction"),
            (pl.lit("豫") + pl.col("vehicle").mod(24).replace_strict(list(range(24)), letters_s.to_list(), return_dtype=pl.String)
             + pl.lit("·") + pl.col("vehicle").mod(100_000).cast(pl.String).str.zfill(5)).alias("plate"),
            pl.when(pl.col("comb")).then(pl.lit("combination")).otherwise(pl.lit("truck")).alias("vehicle_class"),
            pl.when(pl.col("single_drive")).then(pl.lit("1-1-1-3"))
            .otherwise(pl.col("kind").replace_strict(list(range(len(group_names))), group_names, return_dtype=pl.String))
            .alias("axle_groups"),
        ).drop("station_no", "up", "vehicle", "comb", "kind", "single_drive")
        frame = frame.with_columns(
            pl.from_epoch("passed_at", time_unit="ms").dt.replace_time_zone("UTC"),
            (pl.lit("DEV-") + pl.col("station_code")).alias("device_code"),
            # per-axle weights: equal shares, the last axle takes the remainder; 0.5% of rows lose an axle
            pl.concat_list([(pl.col("gross_kg") // pl.col("axle_count")).cast(pl.String)] * 5 + [pl.lit("x")])
            .list.head(pl.col("axle_count") - 1 - (pl.col("record_no") % 200 == 0).cast(pl.Int16))
            .list.concat((pl.col("gross_kg") - (pl.col("gross_kg") // pl.col("axle_count")) * (pl.col("axle_count") - 1)).cast(pl.String))
            .list.join(";").alias("axle_weights_kg"),
            pl.format("img/{}/{}-1.jpg", pl.col("station_code"), pl.col("record_no")).alias("image_refs"),
            pl.format("video/{}/{}.mp4", pl.col("station_code"), pl.col("record_no")).alias("video_ref"),
        )
        table = frame.to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=chunk)
    writer.close()


def setup_django(workdir: Path, db_name: str = "zhifa_wim_bench") -> str:
    os.environ["ZHIFA_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url:
        import psycopg

        base, _, _name = url.rpartition("/")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            conn.execute(f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = f"{base}/{db_name}"
    else:
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "overload", verbosity=0)
    call_command("migrate", "discretion", verbosity=0)
    return connection.vendor


def seed_registry() -> None:
    """The stations, devices and rule data the screening needs, and 10,000 registered vehicles."""
    from datetime import date

    from zhifa.core.models import Organisation, Party, Vehicle
    from zhifa.overload.models import Device, Station
    from zhifa.overload.tests.factories import ensure_overload_rules

    ensure_overload_rules()
    org = Organisation.objects.create(code="B41", name="基准测试交通运输局", kind="county")
    for s in range(STATIONS):
        station = Station.objects.create(organisation=org, code=f"BS{s:03d}", name=f"基准检测点{s}", location_published_on=date(2020, 1, 1))
        Device.objects.create(station=station, code=f"DEV-BS{s:03d}", accuracy_class=5, calibration_certificate=f"JJG907-{s}",
                              calibration_valid_from=date(2026, 1, 1),
                              calibration_valid_until=date(2026, 12, 31) if s != 7 else date(2026, 10, 31),  # one expired
                              review_passed_on=date(2020, 1, 1))
    owner = Party.objects.create(organisation=org, kind="organisation", name="基准测试物流有限公司")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    Vehicle.objects.bulk_create([Vehicle(organisation=org, plate=f"豫{letters[v % 24]}·{v % 100_000:05d}", plate_colour="yellow",
                                         vehicle_type="重型半挂牵引车", owner=owner, is_combination=True, axle_count=6)
                                 for v in range(0, 20_000, 2)], batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", "--n", dest="n", type=int, default=5_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--data", metavar="FILE", help="generated file to reuse (written there if missing)")
    parser.add_argument("--db-name", default="zhifa_wim_bench", help="PostgreSQL database the benchmark creates and drops")
    parser.add_argument("--generate-only", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(Path(args.generate_only), args.n, chunk=args.chunk)
        return
    workdir = Path(tempfile.mkdtemp(prefix="wim-bench-"))
    data = Path(args.data) if args.data else workdir / "wim.parquet"
    if data.exists():
        print(f"reusing {data} ({data.stat().st_size / 2**20:.0f} MiB Parquet; generated for the same --records and --chunk)")
    else:
        t0 = time.perf_counter()
        # Generated in a child process, so the peak memory below is the ingest's alone.
        import subprocess

        subprocess.run([sys.executable, __file__, "--n", str(args.n), "--chunk", str(args.chunk), "--generate-only", str(data)], check=True)
        gen_s = time.perf_counter() - t0
        print(f"generated {args.n:,} records ({data.stat().st_size / 2**20:.0f} MiB Parquet) in {gen_s:.1f} s")

    import duckdb

    t0 = time.perf_counter()
    rows, total = duckdb.connect().execute(f"SELECT count(*), sum(gross_kg) FROM read_parquet('{data}')").fetchone()
    duck_s = time.perf_counter() - t0
    print(f"DuckDB plain scan (count, sum gross): {duck_s:.2f} s  ({rows / duck_s:,.0f} records/s)")

    if args.db_name.startswith("test_"):
        parser.error("--db-name: test_* databases belong to test runs")
    vendor = setup_django(workdir, args.db_name)
    seed_registry()
    from zhifa.overload import ingest, wim

    rules = ingest.load_rules()
    t0 = time.perf_counter()
    over = 0
    read_s = norm_s = only_s = 0.0
    chunks = wim.read_chunks(data, chunk_rows=args.chunk)
    while True:
        t = time.perf_counter()
        chunk = next(chunks, None)
        read_s += time.perf_counter() - t
        if chunk is None:
            break
        t = time.perf_counter()
        records, _rejected = wim.normalise(chunk)
        norm_s += time.perf_counter() - t
        t = time.perf_counter()
        over += int(wim.screen(records, rules)["over"].sum())
        only_s += time.perf_counter() - t
    screen_s = time.perf_counter() - t0
    print(f"screening (Parquet read {read_s:.2f} s + normalise {norm_s:.2f} s + screen {only_s:.2f} s): {screen_s:.2f} s  "
          f"{args.n / screen_s:,.0f} records/s overall; screen step alone {args.n / only_s:,.0f} records/s; "
          f"over-limit passes {over:,} ({over * 100 / args.n:.2f}%)")

    t0 = time.perf_counter()
    timings = {}
    batch = ingest.ingest_file(data, chunk_rows=args.chunk, on_chunk=lambda progress, _rows: timings.update(progress.timings))
    e2e_s = time.perf_counter() - t0
    print(f"end to end on {vendor} (ingest + screening + Parquet storage + violations): {e2e_s:.2f} s  "
          f"{args.n / e2e_s:,.0f} records/s  {batch.violations_new / e2e_s:,.0f} violations/s")
    print(f"  read {batch.read:,} = accepted {batch.accepted:,} + rejected {batch.rejected:,} + duplicates {batch.duplicates:,}"
          f"  (flagged {batch.flagged:,}; violations {batch.violations_new:,}, passes merged {batch.passes_merged:,})")
    print("  where the time goes: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
          + " (screen = read-side normalise + screen; dedup = split by station-day and drop stored keys; database = the"
            " chunk transaction with its commit; files = waiting for part files not yet written when the transaction"
            " is done; the Parquet read is the rest)")
    print(f"peak memory (ru_maxrss, whole process): {peak_mib():,.0f} MiB")
    if not args.keep:
        import shutil

        from django.db import connections

        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if vendor == "postgresql":
            import psycopg

            base = os.environ["DATABASE_URL"].rpartition("/")[0]
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
    else:
        print(f"work directory kept: {workdir}")


if __name__ == "__main__":
    main()
