"""Over-limit passes into violations, in bulk: the merge of passes of one vehicle within the window into one
violation (一事不再罚, 行政处罚法 Art. 29), exemptions (超限运输许可), the matching of plates to registered
vehicles,
and the database writes that do it without per-row Python (COPY on PostgreSQL, executemany on SQLite).
Called by
the ingest (``overload.ingest``) inside its per-chunk transaction."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import polars as pl
from django.db import connection

from zhifa.core.models import Vehicle

from . import wim
from .models import Device, Exemption, IngestBatch, Violation, ViolationPass

# The columns of an over-limit pass that ``persist_violations`` reads (and a partitioned ingest stages).
PASS_COLUMNS = [
    "record_no",
    "station_code",
    "device_id",
    "passed_ms",
    "plate",
    "plate_colour",
    "axle_count",
    "is_combination",
    "gross_kg",
    "tolerance_percent",
    "tolerance_policy_id",
    "corrected_kg",
    "limit_kg",
    "excess_kg",
    "dimension_over",
]


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def persist_violations(
    over: pl.DataFrame, *, batch: IngestBatch | None, window: timedelta, per_batch: bool = False
):
    """Turn over-limit passes into violations: exempted passes (valid 超限运输许可 for that station and
    time, within
    its approved mass) are dropped; passes of the same vehicle within ``window`` of an existing violation's
    first
    pass join it (一事不再罚, 行政处罚法 Art. 29), the others form new violations, each opened by the first
    pass not
    within ``window`` of the previous one's. Vectorised (no per-pass Python); a pass whose plate was not
    read joins
    nothing (the vehicle is unknown). Returns (new violations, passes merged into existing ones); with
    ``per_batch`` (staged passes carrying a ``batch_id`` column) a dict batch id → (new, merged)."""
    over = wim.normalise_plates(over)
    if "batch_id" not in over.columns:
        over = over.with_columns(pl.lit(batch.pk if batch else None, dtype=pl.Int64).alias("batch_id"))
    # Time order, ties broken by the record's identity, so the result does not depend on how rows were
    # chunked.
    over = over.select(*PASS_COLUMNS, pl.col("batch_id").cast(pl.Int64)).sort(
        ["passed_ms", "station_code", "record_no"]
    )
    win = int(window.total_seconds() * 1000)
    lo, hi = int(over["passed_ms"].min()) - win, int(over["passed_ms"].max()) + win
    read_plates = sorted(set(over.filter(pl.col("plate") != "")["plate"].to_list()))
    over = _drop_exempt(over, read_plates, lo, hi).with_row_index("i")
    if over.is_empty():
        return {} if per_batch else (0, 0)
    vehicle_key = [pl.col("plate"), pl.col("plate_colour")]
    # 1. Passes that join an existing violation (the latest-starting one within the window, as before).
    existing = _open_violations(read_plates, lo, hi)
    joined = (
        over.filter(pl.col("plate") != "")
        .select("i", "plate", "plate_colour", "passed_ms")
        .join(existing, on=["plate", "plate_colour"], how="inner")
        .filter((pl.col("passed_ms") - pl.col("first_ms")).abs() < win)
        .sort(["i", "first_ms"], descending=[False, True])
        .group_by("i", maintain_order=True)
        .first()
        .select("i", pl.col("id").alias("violation_id"))
    )
    over = over.join(joined, on="i", how="left", maintain_order="left")
    # 2. The rest start new violations: per vehicle, the earliest pass opens one, passes less than the
    # window after it
    # join it; repeat with what is left (rounds = violations per vehicle in the chunk, a handful).
    rest = over.filter(pl.col("violation_id").is_null()).select(
        "i",
        "passed_ms",
        pl.when(pl.col("plate") == "")
        .then(pl.format("#{}#{}", "station_code", "record_no"))
        .otherwise(pl.concat_str(vehicle_key, separator="|"))
        .alias("k"),
    )
    leads = []
    while rest.height:
        start = rest.group_by("k", maintain_order=True).agg(
            pl.col("passed_ms").first().alias("start"), pl.col("i").first().alias("lead")
        )
        rest = rest.join(start, on="k", how="inner", maintain_order="left")
        inside = (pl.col("passed_ms") - pl.col("start")) < win
        leads.append(rest.filter(inside).select("i", "lead"))
        rest = rest.filter(~inside).drop("start", "lead")
    lead_of = pl.concat(leads) if leads else pl.DataFrame(schema={"i": pl.UInt32, "lead": pl.UInt32})
    new = over.join(lead_of.select(pl.col("lead").unique().alias("i")), on="i", how="semi").sort("i")
    ids = pl.Series("new_id", _allocate_ids(Violation, new.height), dtype=pl.Int64)
    lead_ids = new.select(pl.col("i").alias("lead")).with_columns(ids)
    over = (
        over.join(lead_of, on="i", how="left", maintain_order="left")
        .join(lead_ids, on="lead", how="left", maintain_order="left")
        .with_columns(
            pl.col("violation_id").fill_null(pl.col("new_id")),
            pl.col("lead").is_not_null().alias("is_new"),
            (pl.col("i") == pl.col("lead")).fill_null(False).alias("opens"),
        )
    )
    span = over.group_by("violation_id").agg(
        pl.len().alias("n"), pl.col("passed_ms").min().alias("lo"), pl.col("passed_ms").max().alias("hi")
    )
    # 3. The new violations carry the figures of the pass that opened them.
    devices = pl.DataFrame(
        list(Device.objects.values_list("id", "station_id", "station__organisation_id")),
        schema={"device_id": pl.Int64, "station_id": pl.Int64, "organisation_id": pl.Int64},
        orient="row",
    )
    vehicles = _vehicles_for(sorted(set(new.filter(pl.col("plate") != "")["plate"].to_list())))
    rows = (
        new.with_columns(ids.alias("id"))
        .join(span, left_on="id", right_on="violation_id", how="left", maintain_order="left")
        .join(devices, on="device_id", how="left", maintain_order="left")
        .join(vehicles, on=["plate", "plate_colour"], how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("plate") == "").then(None).otherwise(pl.col("vehicle_id")).alias("vehicle_id")
        )
    )
    # Unmatched or unread plates go to the review queue, never to a guessed party.
    rows = rows.select(
        "id",
        "organisation_id",
        "station_id",
        "device_id",
        "plate",
        "plate_colour",
        "vehicle_id",
        pl.col("record_no").alias("key_record_no"),
        _when("lo").alias("first_passed_at"),
        _when("hi").alias("last_passed_at"),
        pl.col("n").alias("pass_count"),
        "axle_count",
        "is_combination",
        "gross_kg",
        "tolerance_percent",
        "tolerance_policy_id",
        "corrected_kg",
        "limit_kg",
        "excess_kg",
        "dimension_over",
        pl.when(pl.col("vehicle_id").is_null())
        .then(pl.lit(Violation.Status.REVIEW.value))
        .otherwise(pl.lit(Violation.Status.DETECTED.value))
        .alias("status"),
        "batch_id",
        pl.lit("").alias("notice_code"),
        pl.lit("").alias("note"),
        pl.lit("{}").alias("assessment"),
    )
    _copy_frame(Violation, rows)
    _copy_frame(
        ViolationPass,
        over.select(
            "violation_id",
            "station_code",
            "record_no",
            _when("passed_ms").alias("passed_at"),
            "gross_kg",
            "excess_kg",
        ),
    )
    touched = existing.join(span, left_on="id", right_on="violation_id", how="inner").select(
        "id",
        (pl.col("pass_count") + pl.col("n")).alias("c"),
        _when(pl.min_horizontal("first_ms", "lo")).alias("f"),
        _when(pl.max_horizontal("last_ms", "hi")).alias("l"),
    )
    _bulk_update_merged(touched)
    counts = over.group_by("batch_id").agg(
        pl.col("opens").sum().alias("new"), (~pl.col("opens")).sum().alias("merged")
    )
    if per_batch:
        return {b: (int(n), int(m)) for b, n, m in counts.iter_rows()}
    return int(counts["new"].sum()), int(counts["merged"].sum())


def _when(column) -> pl.Expr:
    """Epoch milliseconds → a UTC timestamp column."""
    expr = pl.col(column) if isinstance(column, str) else column
    return pl.from_epoch(expr, time_unit="ms").dt.replace_time_zone("UTC")


def _by_plates(sql: str, plates: list[str], params: list, model_filter) -> list[tuple]:
    """Rows for many plates in one statement on PostgreSQL (the plates as one array, joined through
    ``unnest`` so
    each is an index probe); elsewhere in IN-lists of 900 through the ORM."""
    if not plates:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, [plates, *params])
            return cursor.fetchall()
    found = []
    for i in range(0, len(plates), 900):
        found += model_filter(plates[i : i + 900])
    return found


def _open_violations(plates: list[str], lo: int, hi: int) -> pl.DataFrame:
    """Existing violations of these plates whose first pass is within [lo, hi] (epoch ms) — the ones a pass
    of this
    chunk could join. Looked up by plate (indexed with the time), so the cost follows the chunk's plates."""
    lo_at, hi_at = datetime.fromtimestamp(lo / 1000, tz=UTC), datetime.fromtimestamp(hi / 1000, tz=UTC)
    fields = ("id", "plate", "plate_colour", "first_passed_at", "last_passed_at", "pass_count")
    found = _by_plates(
        f"SELECT {', '.join('v.' + f for f in fields)} FROM unnest(%s::text[]) AS wanted(plate) "
        f"JOIN {Violation._meta.db_table} v ON v.plate = wanted.plate "
        "WHERE v.first_passed_at >= %s AND v.first_passed_at <= %s",
        plates,
        [lo_at, hi_at],
        lambda part: list(
            Violation.objects.filter(
                plate__in=part, first_passed_at__gte=lo_at, first_passed_at__lte=hi_at
            ).values_list(*fields)
        ),
    )
    return pl.DataFrame(
        [(i, p, c, _ms(f), _ms(la), n) for i, p, c, f, la, n in found],
        orient="row",
        schema={
            "id": pl.Int64,
            "plate": pl.String,
            "plate_colour": pl.String,
            "first_ms": pl.Int64,
            "last_ms": pl.Int64,
            "pass_count": pl.Int64,
        },
    )


def _drop_exempt(over: pl.DataFrame, plates: list[str], lo: int, hi: int) -> pl.DataFrame:
    # A permit covers its route (stations) and period, up to the mass it approved.
    # Permits valid in the period are few next to the chunk's plates: select by time, match plates here.
    qs = Exemption.objects.filter(
        valid_from__lte=datetime.fromtimestamp(hi / 1000, tz=UTC),
        valid_until__gte=datetime.fromtimestamp(lo / 1000, tz=UTC),
    ).prefetch_related("stations")
    wanted = set(plates)
    permits = [
        (ex.plate, ex.plate_colour, s.code, _ms(ex.valid_from), _ms(ex.valid_until), ex.max_gross_kg)
        for ex in qs
        if ex.plate in wanted
        for s in ex.stations.all()
    ]
    if not permits:
        return over
    frame = pl.DataFrame(
        permits,
        orient="row",
        schema={
            "plate": pl.String,
            "plate_colour": pl.String,
            "station_code": pl.String,
            "from_ms": pl.Int64,
            "until_ms": pl.Int64,
            "max_kg": pl.Int64,
        },
    )
    covered = (
        over.select("station_code", "record_no", "plate", "plate_colour", "passed_ms", "gross_kg")
        .join(frame, on=["plate", "plate_colour", "station_code"], how="inner")
        .filter(
            pl.col("passed_ms").is_between(pl.col("from_ms"), pl.col("until_ms"))
            & (pl.col("gross_kg") <= pl.col("max_kg"))
        )
        .select("station_code", "record_no")
        .unique()
    )
    return over.join(covered, on=["station_code", "record_no"], how="anti", maintain_order="left")


def _vehicles_for(plates: list[str]) -> pl.DataFrame:
    table = Vehicle._meta.db_table
    found = _by_plates(
        f"SELECT v.id, v.plate, v.plate_colour FROM unnest(%s::text[]) AS wanted(plate) "
        f"JOIN {table} v ON v.plate = wanted.plate",
        plates,
        [],
        lambda part: list(Vehicle.objects.filter(plate__in=part).values_list("id", "plate", "plate_colour")),
    )
    return pl.DataFrame(
        found, orient="row", schema={"vehicle_id": pl.Int64, "plate": pl.String, "plate_colour": pl.String}
    ).unique(subset=["plate", "plate_colour"], keep="first")


def _allocate_ids(model, n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n]
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


def _copy_frame(model_or_table, frame: pl.DataFrame) -> None:
    """Insert a frame's rows (columns named as the table's) inside the caller's transaction: on PostgreSQL
    one COPY
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
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [[_sqlite_value(v) for v in row] for row in frame.iter_rows()],
            )


def _bulk_update_merged(touched: pl.DataFrame) -> None:
    """Pass counts and first/last times of violations that absorbed passes of this chunk, in one statement
    (PostgreSQL: COPY into a temporary table, then UPDATE … FROM) rather than one UPDATE per violation."""
    if touched.is_empty():
        return
    table = Violation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS overload_merge "
                "(id bigint, c integer, f timestamptz, l timestamptz) ON COMMIT DELETE ROWS"
            )
            _copy_frame("overload_merge", touched)
            cursor.execute(
                f"UPDATE {table} v SET pass_count = m.c, first_passed_at = m.f, last_passed_at = m.l "
                "FROM overload_merge m WHERE v.id = m.id"
            )
            cursor.execute("DELETE FROM overload_merge")
        else:
            cursor.executemany(
                f"UPDATE {table} SET pass_count = %s, first_passed_at = %s, last_passed_at = %s "
                "WHERE id = %s",
                [[c, _sqlite_value(f), _sqlite_value(la), pk] for pk, c, f, la in touched.iter_rows()],
            )


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value
