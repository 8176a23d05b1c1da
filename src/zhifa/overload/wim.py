"""The weigh-in-motion record format and the vectorised engine (Polars): streaming readers for CSV, JSON lines
and Parquet, normalisation with per-record rejection reasons, and screening against the Art. 3 limit.

Nothing here touches the database: the caller passes the device table, the tolerance versions and the limit
table (from ``zhifa.discretion.overload_rules.limit_table``), so the same code runs in ingest, tests and the
benchmark. The format is documented in ``docs/overload.md``.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zhifa.core.identifiers import PLATE_SEPARATORS

# (name, Polars type, required). Order is the order of the stored Parquet columns.
FIELDS: list[tuple[str, pl.DataType, bool]] = [
    ("record_no", pl.Int64, True),
    ("station_code", pl.String, True),
    ("device_code", pl.String, True),
    ("lane", pl.Int16, True),
    ("direction", pl.String, False),
    ("passed_at", pl.String, True),  # parsed into passed_ms
    ("plate", pl.String, False),
    ("plate_colour", pl.String, False),
    ("vehicle_class", pl.String, True),
    ("axle_count", pl.Int16, True),
    ("axle_groups", pl.String, False),
    ("axle_weights_kg", pl.String, False),
    ("single_tyre_axles", pl.Int16, False),
    ("gross_kg", pl.Int32, True),
    ("speed_kmh", pl.Float32, True),
    ("length_mm", pl.Int32, False),
    ("width_mm", pl.Int32, False),
    ("height_mm", pl.Int32, False),
    ("lane_change", pl.Boolean, False),
    ("image_refs", pl.String, False),
    ("video_ref", pl.String, False),
]
FIELD_NAMES = [f[0] for f in FIELDS]
FIELD_LABELS = {
    "record_no": "记录号", "station_code": "站点编码", "device_code": "设备编号", "lane": "车道", "passed_at": "过车时间",
    "vehicle_class": "车辆类别", "axle_count": "轴数", "gross_kg": "总质量", "speed_kmh": "车速",
}
COLOUR_NAMES = {"蓝": "blue", "黄": "yellow", "绿": "green", "黄绿": "yellow_green", "白": "white", "黑": "black"}
STRIPPED = {"station_code", "device_code"}  # identifiers compared exactly
VEHICLE_CLASSES = {"truck", "combination", "other"}

# Validity flags kept with every raw record. A flagged record is stored but never screened into a case.
FLAG_SPEED = 1          # speed outside the valid range of the screening policy
FLAG_LANE_CHANGE = 2    # the vehicle changed lanes on the scale
FLAG_AXLES = 4          # per-axle weights or axle groups do not match the axle count
FLAG_CALIBRATION = 8    # calibration certificate not valid on the day (行政处罚法 Art. 41)
FLAG_NOT_REVIEWED = 16  # device not reviewed or location not published on the day (Art. 41)
FLAG_NOT_GOODS = 32     # not a goods vehicle: not screened
FLAG_LABELS = {FLAG_SPEED: "车速超出有效范围", FLAG_LANE_CHANGE: "过秤时变道", FLAG_AXLES: "轴数据不完整",
               FLAG_CALIBRATION: "设备检定证书不在有效期", FLAG_NOT_REVIEWED: "设备未经审核或地点未公布",
               FLAG_NOT_GOODS: "非货运车辆"}

# Outline over the Art. 3 limits (items 1–3), per record, as a bit mask: a goods vehicle's reading above the limit in
# force on the day. Stored with every record; carried onto the violation of an over-mass pass.
DIM_HEIGHT = 1
DIM_WIDTH = 2
DIM_LENGTH = 4
DIM_LABELS = {DIM_HEIGHT: "总高度超过限值", DIM_WIDTH: "总宽度超过限值", DIM_LENGTH: "总长度超过限值"}

STORED_COLUMNS = ["record_no", "station_code", "device_code", "lane", "direction", "passed_ms", "plate", "plate_colour",
                  "vehicle_class", "axle_count", "axle_groups", "axle_weights_kg", "single_tyre_axles", "gross_kg",
                  "speed_kmh", "length_mm", "width_mm", "height_mm", "lane_change", "image_refs", "video_ref", "flags",
                  "limit_kg", "tolerance_percent", "corrected_kg", "excess_kg", "dimension_over"]


def normalise_plates(frame: pl.DataFrame) -> pl.DataFrame:
    """Plates in the registers' display form 豫R·A1234 and colours as register codes (黄 → yellow). Applied to the
    over-limit passes only: the raw records are stored as the device sent them. The column form of
    ``core.identifiers.plate_display_form`` (same separators, same result; a test holds them together)."""
    bare = pl.col("plate").str.replace_all(PLATE_SEPARATORS, "").str.to_uppercase()
    return frame.with_columns(
        pl.when(bare.str.len_chars() > 2).then(bare.str.slice(0, 2) + "·" + bare.str.slice(2)).otherwise(bare).alias("plate"),
        pl.col("plate_colour").str.strip_chars().replace(COLOUR_NAMES).alias("plate_colour"),
    )


def flag_labels(flags: int) -> list[str]:
    return [label for bit, label in FLAG_LABELS.items() if flags & bit]


def dimension_labels(mask: int) -> list[str]:
    return [label for bit, label in DIM_LABELS.items() if (mask or 0) & bit]


# ---------------------------------------------------------------- readers (streaming, bounded memory)

def detect_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    raise ValueError(f"无法识别的文件格式：{path.name}（支持 .csv / .jsonl / .parquet）")


def read_chunks(path: Path, *, chunk_rows: int = 500_000) -> Iterator[pl.DataFrame]:
    """Yield the file as DataFrames of at most ``chunk_rows`` rows, never holding more than one chunk."""
    fmt = detect_format(path)
    if fmt == "parquet":
        # Row group by row group with Polars' native reader (much faster than converting Arrow batches); a row
        # group much larger than the chunk is streamed in batches instead, so memory stays bounded.
        pf = pq.ParquetFile(path)
        start = 0
        for group in range(pf.metadata.num_row_groups):
            rows = pf.metadata.row_group(group).num_rows
            if rows <= 2 * chunk_rows:
                yield pl.scan_parquet(path).slice(start, rows).collect()
            else:
                for batch in pf.iter_batches(batch_size=chunk_rows, row_groups=[group]):
                    yield pl.from_arrow(batch)
            start += rows
    elif fmt == "csv":
        # Every known column is read as text and typed later, so one bad value rejects one row, not the file.
        options = pacsv.ConvertOptions(column_types={name: pa.string() for name in FIELD_NAMES}, strings_can_be_null=True)
        reader = pacsv.open_csv(path, convert_options=options, read_options=pacsv.ReadOptions(block_size=16 << 20))
        pending: list[pa.RecordBatch] = []
        size = 0
        for batch in reader:
            pending.append(batch)
            size += batch.num_rows
            while size >= chunk_rows:
                table = pa.Table.from_batches(pending)
                yield pl.from_arrow(table.slice(0, chunk_rows))
                rest = table.slice(chunk_rows)
                pending, size = rest.to_batches(), rest.num_rows
        if size:
            yield pl.from_arrow(pa.Table.from_batches(pending))
    else:
        with open(path, "rb") as handle:
            while True:
                lines = [line for line in itertools.islice(handle, chunk_rows) if line.strip()]
                if not lines:
                    break
                yield _ndjson_frame(lines)


def _ndjson_frame(lines: list[bytes]) -> pl.DataFrame:
    """JSON lines → text columns; a line that is not JSON becomes a row rejected for its format."""
    try:
        frame = pl.read_ndjson(io.BytesIO(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)),
                               infer_schema_length=None)
    except Exception:  # noqa: BLE001 — fall back line by line to find the bad ones
        import json

        rows = []
        for line in lines:
            try:
                value = json.loads(line)
                rows.append(value if isinstance(value, dict) else {"_bad": "1"})
            except ValueError:
                rows.append({"_bad": "1"})
        frame = pl.from_dicts([{k: (";".join(map(str, v)) if isinstance(v, list) else (None if v is None else str(v)))
                                for k, v in row.items()} for row in rows], infer_schema_length=None)
    return frame


def frame_from_dicts(rows: list[dict]) -> pl.DataFrame:
    """Records pushed over the API (already parsed JSON objects) → the same text frame as a file chunk."""
    clean = []
    for row in rows:
        clean.append({k: (";".join(map(str, v)) if isinstance(v, list) else (None if v is None else str(v)))
                      for k, v in row.items() if k in FIELD_NAMES})
    if not clean:
        return pl.DataFrame({name: pl.Series([], dtype=pl.String) for name in FIELD_NAMES})
    return pl.from_dicts(clean, schema={name: pl.String for name in FIELD_NAMES})


# ---------------------------------------------------------------- normalisation

def _typed(raw: pl.DataFrame, name: str, dtype) -> pl.Expr:
    """One column in its target type; typed input (Parquet) is used as it is, text is parsed leniently."""
    if name not in raw.columns:
        return pl.lit(None, dtype=dtype).alias(name)
    have = raw.schema[name]
    col = pl.col(name)
    if isinstance(have, pl.List):
        col = col.cast(pl.List(pl.String)).list.join(";")
        have = pl.String
    if have == dtype:
        return col.str.strip_chars().alias(name) if name in STRIPPED else col.alias(name)
    if dtype == pl.Boolean:
        return col.cast(pl.String).str.to_lowercase().is_in(["1", "true", "t", "yes", "y"]).alias(name)
    if dtype == pl.String:
        return col.cast(pl.String).alias(name)
    if have.is_numeric():
        return col.cast(dtype, strict=False).alias(name)
    return col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False).cast(dtype, strict=False).alias(name)


def _passed_ms(raw: pl.DataFrame) -> pl.Expr:
    """Pass time → epoch milliseconds (UTC). Text: ISO 8601 with offset, or 'YYYY-MM-DD HH:MM:SS' in Beijing time."""
    if "passed_at" not in raw.columns:
        return pl.lit(None, dtype=pl.Int64).alias("passed_ms")
    have = raw.schema["passed_at"]
    if isinstance(have, pl.Datetime):
        ts = pl.col("passed_at")
        if have.time_zone is None:
            ts = ts.dt.replace_time_zone("Asia/Shanghai")
        return ts.dt.epoch("ms").alias("passed_ms")
    ts = pl.col("passed_at").cast(pl.String).str.strip_chars()
    with_offset = ts.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC")
    local = ts.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).dt.replace_time_zone("Asia/Shanghai").dt.convert_time_zone("UTC")
    return with_offset.fill_null(local).dt.epoch("ms").alias("passed_ms")


def normalise(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Type a raw chunk. Returns (records, rejected); rejected keeps the raw values as text and a ``reason``."""
    raw = raw.with_row_index("_row")
    typed = [_typed(raw, name, dtype) for name, dtype, _required in FIELDS if name != "passed_at"]
    frame = raw.select("_row", *typed, _passed_ms(raw))
    frame = frame.with_columns(
        pl.col("single_tyre_axles").fill_null(0), pl.col("plate").fill_null(""), pl.col("plate_colour").fill_null(""),
    )
    # First failing check names the reason (in Chinese, for the downloadable report).
    reason = pl.lit(None, dtype=pl.String)
    checks = [(pl.col(name).is_null(), f"缺少或格式错误：{FIELD_LABELS.get(name, name)}")
              for name, _dtype, required in FIELDS if required and name != "passed_at"]
    checks.insert(0, (pl.col("passed_ms").is_null(), "缺少或格式错误：过车时间"))
    checks += [
        (~pl.col("vehicle_class").is_in(list(VEHICLE_CLASSES)), "车辆类别应为 truck / combination / other"),
        ((pl.col("axle_count") < 2) | (pl.col("axle_count") > 12), "轴数应在2至12之间"),
        (pl.col("gross_kg") <= 0, "总质量应为正数"),
        (pl.col("single_tyre_axles") < 0, "单轮胎轴数不能为负"),
    ]
    for condition, text_reason in reversed(checks):
        reason = pl.when(condition).then(pl.lit(text_reason)).otherwise(reason)
    frame = frame.with_columns(reason.alias("reason"))
    bad = frame.filter(pl.col("reason").is_not_null()).select("_row", "reason")
    if bad.height:
        text = raw.select("_row", *[pl.col(c).cast(pl.List(pl.String)).list.join(";") if isinstance(raw.schema[c], pl.List)
                                    else pl.col(c).cast(pl.String) for c in FIELD_NAMES if c in raw.columns])
        rejected = text.join(bad, on="_row", how="inner").drop("_row")
    else:
        rejected = pl.DataFrame(schema={"reason": pl.String})
    records = frame.filter(pl.col("reason").is_null()).drop("_row", "reason")
    return records, rejected


# ---------------------------------------------------------------- screening

@dataclass
class Rules:
    """What screening applies, as data: devices, tolerance versions, limit table, validity policy."""

    devices: pl.DataFrame  # device_code, device_id, device_station, accuracy_class, cal_from, cal_until, review_on, published_on (days since epoch)
    tolerances: dict[int, list[tuple[int, float, int]]]  # class → [(from_day, percent, policy_id)] ascending
    limits: list[dict]  # discretion.overload_rules.limit_table rows
    single_tyre_reduction_kg: int
    min_speed: float
    max_speed: float
    # Art. 3 items 1–3: [(from_day, height_mm, width_mm, length_mm)] ascending; empty → outline not screened.
    dimension_limits: list[tuple[int, int, int, int]] = field(default_factory=list)

    def limit_frame(self) -> pl.DataFrame:
        """Every (axle_count, combination) → limit, with the same fall-back as ``vehicle_limit_kg``
        (MOT Order 2016 No. 62 Art. 3: six or more axles use the 6-axle row)."""
        top = max(r["axles"] for r in self.limits)
        rows = []
        for axles in range(2, 13):
            wanted = min(axles, top)
            for combination in (False, True):
                found = [r for r in self.limits if r["axles"] == wanted and r["combination"] == combination] or \
                        [r for r in self.limits if r["axles"] == wanted]
                if found:
                    rows.append({"axle_count": axles, "is_combination": combination, "base_limit": found[0]["limit_kg"],
                                 "single_drive_limit": found[0]["single_drive_axle_limit_kg"]})
        return pl.DataFrame(rows, schema={"axle_count": pl.Int16, "is_combination": pl.Boolean, "base_limit": pl.Int32,
                                          "single_drive_limit": pl.Int32})


def device_reject_reasons(records: pl.DataFrame, rules: Rules) -> pl.Series:
    """Reason per record that its device is unknown or belongs to another station (else null)."""
    joined = records.select("device_code", "station_code").join(
        rules.devices.select("device_code", "device_station"), on="device_code", how="left", maintain_order="left")
    return joined.select(
        pl.when(pl.col("device_station").is_null()).then(pl.lit("未登记的设备编号"))
        .when(pl.col("device_station") != pl.col("station_code")).then(pl.lit("设备不属于该站点"))
        .otherwise(pl.lit(None, dtype=pl.String)).alias("reason"))["reason"]


def screen(records: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Add ``day``, ``flags``, ``limit_kg``, ``tolerance_percent``, ``tolerance_policy_id``, ``corrected_kg``,
    ``excess_kg`` and ``over`` to typed records whose device is known."""
    day_expr = (pl.col("passed_ms") + 8 * 3600 * 1000).floordiv(86_400_000).cast(pl.Int32)  # Beijing local day
    df = records.with_columns(day_expr.alias("day")).join(rules.devices, on="device_code", how="left", maintain_order="left")
    is_comb = pl.col("vehicle_class") == "combination"
    # Axle-group strings take few distinct values: evaluate them once each, then look them up.
    groups = {}
    for value in df["axle_groups"].unique().to_list():
        sizes = [int(x) if x.isdigit() else -99 for x in (value or "").split("-")] if value else []
        groups[value] = (sum(sizes) if sizes else None, len(sizes) > 1 and sizes[1] == 1)
    keys = [k for k in groups if k is not None]
    # One lookup gives both: code = axle sum × 2 + (second group is a single axle).
    code = pl.col("axle_groups").replace_strict(keys, [(groups[k][0] or 0) * 2 + int(groups[k][1]) for k in keys],
                                                default=None, return_dtype=pl.Int32)
    groups_sum = code // 2
    second_single = (code % 2) == 1
    # Art. 3: a 6+-axle combination whose tractor drive axle is a single axle (second axle group of size 1).
    single_drive = is_comb & (pl.col("axle_count") >= 6) & second_single
    weights_n = pl.when(pl.col("axle_weights_kg").is_null() | (pl.col("axle_weights_kg") == "")).then(0).otherwise(
        pl.col("axle_weights_kg").str.count_matches(";", literal=True) + 1)
    flags = (
        pl.when((pl.col("speed_kmh") < rules.min_speed) | (pl.col("speed_kmh") > rules.max_speed)).then(FLAG_SPEED).otherwise(0)
        + pl.when(pl.col("lane_change").fill_null(False)).then(FLAG_LANE_CHANGE).otherwise(0)
        + pl.when((weights_n != pl.col("axle_count")) | (pl.col("axle_groups").is_not_null() & (groups_sum != pl.col("axle_count"))))
        .then(FLAG_AXLES).otherwise(0)
        + pl.when((pl.col("day") < pl.col("cal_from")) | (pl.col("day") > pl.col("cal_until"))).then(FLAG_CALIBRATION).otherwise(0)
        + pl.when(pl.col("review_on").is_null() | (pl.col("review_on") > pl.col("day")) | pl.col("published_on").is_null()
                  | (pl.col("published_on") > pl.col("day"))).then(FLAG_NOT_REVIEWED).otherwise(0)
        + pl.when(pl.col("vehicle_class") == "other").then(FLAG_NOT_GOODS).otherwise(0)
    ).cast(pl.Int16)
    # Versioned tolerance per accuracy class: the version in force on the day of the pass.
    pct = pl.lit(None, dtype=pl.Float64)
    pid = pl.lit(None, dtype=pl.Int64)
    for klass, versions in rules.tolerances.items():
        for from_day, percent, policy_id in versions:  # ascending: later versions override
            hit = (pl.col("accuracy_class") == klass) & (pl.col("day") >= from_day)
            pct = pl.when(hit).then(pl.lit(percent)).otherwise(pct)
            pid = pl.when(hit).then(pl.lit(policy_id)).otherwise(pid)
    df = df.with_columns(flags.alias("flags"), is_comb.alias("is_combination"), single_drive.alias("single_drive"),
                         pct.alias("tolerance_percent"), pid.alias("tolerance_policy_id"))
    # Look the limit up by a small integer key (a join on the 22-row table costs more than the lookup).
    table = rules.limit_frame()
    keys = (table["axle_count"].cast(pl.Int32) * 2 + table["is_combination"].cast(pl.Int32)).to_list()
    key = pl.col("axle_count").cast(pl.Int32) * 2 + pl.col("is_combination").cast(pl.Int32)
    base_limit = key.replace_strict(keys, table["base_limit"].to_list(), default=None, return_dtype=pl.Int32)
    drive_limit = key.replace_strict(keys, table["single_drive_limit"].to_list(), default=None, return_dtype=pl.Int32)
    limit = (pl.when(pl.col("single_drive")).then(drive_limit).otherwise(base_limit)
             - pl.col("single_tyre_axles").cast(pl.Int32) * rules.single_tyre_reduction_kg)  # Art. 3 ¶2: −3,000 kg per single-tyre axle
    # The tolerance is deducted from the measurement, rounded down to the kilogram, in the party's favour.
    corrected = (pl.col("gross_kg").cast(pl.Float64) * (1 - pl.col("tolerance_percent").fill_null(0) / 100)).floor().cast(pl.Int32)
    df = df.with_columns(limit.cast(pl.Int32).alias("limit_kg"), corrected.alias("corrected_kg"))
    excess = (pl.col("corrected_kg") - pl.col("limit_kg")).clip(lower_bound=0).cast(pl.Int32)
    df = df.with_columns(excess.alias("excess_kg"))
    over = (pl.col("excess_kg") > 0) & (pl.col("flags") == 0) & pl.col("tolerance_policy_id").is_not_null()
    return df.with_columns(over.alias("over"), _dimension_over(rules).alias("dimension_over"))


def _dimension_over(rules: Rules) -> pl.Expr:
    """Art. 3 items 1–3: the outline reading strictly above the limit version in force on the day (bit mask; 0 for a
    missing reading and for vehicles that are not goods vehicles)."""
    mask = pl.lit(0, dtype=pl.Int16)
    for from_day, height, width, length in rules.dimension_limits:  # ascending: later versions override
        version = (pl.when(pl.col("height_mm") > height).then(DIM_HEIGHT).otherwise(0)
                   + pl.when(pl.col("width_mm") > width).then(DIM_WIDTH).otherwise(0)
                   + pl.when(pl.col("length_mm") > length).then(DIM_LENGTH).otherwise(0))
        mask = pl.when(pl.col("day") >= from_day).then(version.fill_null(0)).otherwise(mask)
    return pl.when(pl.col("vehicle_class") == "other").then(0).otherwise(mask).cast(pl.Int16)


def day_number(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def day_from_number(value: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(value))
