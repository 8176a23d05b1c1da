"""Four-level exchange (省、市、县、站四级联网): violations with their case and decision in a fixed format — JSON
lines validated by :data:`SCHEMA` (JSON Schema, draft 2020-12) or CSV with the same columns — exported
incrementally by cursor (the violation id) and imported idempotently (``services.exchange_import``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from .models import Violation

FORMAT_VERSION = "zhifa-overload-exchange/1"
COLUMNS = ["format", "kind", "origin_org", "origin_id", "plate", "plate_colour", "station_code", "first_passed_at",
           "pass_count", "axle_count", "gross_kg", "limit_kg", "excess_kg", "tolerance_percent", "status",
           "case_number", "case_status", "decision_number", "decided_on", "fine_amount"]
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://zhifa.example/schemas/overload-exchange-1.json",
    "title": "超限非现场执法四级联网交换记录",
    "type": "object",
    "required": ["format", "kind", "origin_org", "origin_id", "plate", "plate_colour", "first_passed_at", "excess_kg"],
    "properties": {
        "format": {"const": FORMAT_VERSION},
        "kind": {"enum": ["violation"]},
        "origin_org": {"type": "string", "minLength": 1, "maxLength": 32, "description": "来源机构代码"},
        "origin_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "来源系统中的违法行为ID"},
        "plate": {"type": "string", "maxLength": 12},
        "plate_colour": {"type": "string"},
        "station_code": {"type": "string"},
        "first_passed_at": {"type": "string", "format": "date-time"},
        "pass_count": {"type": "integer", "minimum": 1},
        "axle_count": {"type": "integer", "minimum": 2},
        "gross_kg": {"type": "integer", "minimum": 0},
        "limit_kg": {"type": "integer", "minimum": 0},
        "excess_kg": {"type": "integer", "minimum": 0},
        "tolerance_percent": {"type": "string"},
        "status": {"type": "string"},
        "case_number": {"type": ["string", "null"]},
        "case_status": {"type": ["string", "null"]},
        "decision_number": {"type": ["string", "null"]},
        "decided_on": {"type": ["string", "null"], "format": "date"},
        "fine_amount": {"type": ["string", "null"], "description": "元，两位小数"},
        # Optional, carried by the 四级联网 download (docs/integrations/overload-net.md): who else it concerns.
        "origin_org_name": {"type": "string", "description": "来源单位名称"},
        "driver_qualification": {"type": ["string", "null"], "description": "驾驶人从业资格证号"},
        "company_credit_code": {"type": ["string", "null"], "description": "运输企业统一社会信用代码"},
        "source_unit_credit_code": {"type": ["string", "null"], "description": "源头单位统一社会信用代码"},
    },
    "additionalProperties": False,
}


def rows_after(*, organisation, after: int = 0, limit: int = 10_000) -> tuple[list[dict], int | None]:
    """Violations of ``organisation``'s subtree with id > ``after``, in id order; and the cursor for the next call."""
    from zhifa.cases.models import Case

    qs = (Violation.objects.filter(organisation__path__startswith=organisation.path, pk__gt=after)
          .select_related("station").order_by("pk")[:limit])
    items = list(qs)
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[v.case_id for v in items if v.case_id])}
    rows = []
    for v in items:
        case = cases.get(v.case_id)
        rows.append({
            "format": FORMAT_VERSION, "kind": "violation", "origin_org": organisation.code, "origin_id": str(v.pk),
            "plate": v.plate, "plate_colour": v.plate_colour, "station_code": v.station.code,
            "first_passed_at": timezone.localtime(v.first_passed_at).isoformat(), "pass_count": v.pass_count,
            "axle_count": v.axle_count, "gross_kg": v.gross_kg, "limit_kg": v.limit_kg, "excess_kg": v.excess_kg,
            "tolerance_percent": str(v.tolerance_percent), "status": v.status,
            "case_number": case.number if case else None, "case_status": case.status if case else None,
            "decision_number": (case.decision_number or None) if case else None,
            "decided_on": case.decided_on.isoformat() if case and case.decided_on else None,
            "fine_amount": str(case.fine_amount) if case and case.fine_amount is not None else None,
        })
    cursor = items[-1].pk if items else None
    return rows, cursor


def to_jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in COLUMNS})
    return buffer.getvalue()


def parse(text: str, fmt: str) -> Iterator[dict]:
    """Rows of an exchange file; CSV cells are typed back to the schema's types."""
    if fmt == "jsonl":
        for line in text.splitlines():
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError:
                    yield {"_invalid": line[:80]}
        return
    for row in csv.DictReader(io.StringIO(text)):
        typed = {}
        for key, value in row.items():
            prop = SCHEMA["properties"].get(key, {})
            if value == "" and "null" in (prop.get("type") if isinstance(prop.get("type"), list) else []):
                typed[key] = None
            elif prop.get("type") == "integer":
                typed[key] = int(value) if value.lstrip("-").isdigit() else value
            else:
                typed[key] = value
        yield typed


def validate_row(row: dict) -> str:
    """The first way ``row`` breaks the schema (in Chinese), or ''. A small validator of the subset used."""
    if not isinstance(row, dict) or "_invalid" in row:
        return "不是有效的JSON对象"
    extra = set(row) - set(SCHEMA["properties"])
    if extra:
        return f"未定义的字段：{', '.join(sorted(extra))}"
    for key in SCHEMA["required"]:
        if row.get(key) in (None, ""):
            return f"缺少必填字段：{key}"
    for key, prop in SCHEMA["properties"].items():
        if key not in row:
            continue
        value = row[key]
        if "const" in prop and value != prop["const"]:
            return f"{key} 应为 {prop['const']}"
        if "enum" in prop and value not in prop["enum"]:
            return f"{key} 取值不正确"
        types = prop.get("type")
        types = types if isinstance(types, list) else [types] if types else []
        if value is None and "null" in types:
            continue
        if "integer" in types and (not isinstance(value, int) or value < prop.get("minimum", value)):
            return f"{key} 应为不小于{prop.get('minimum', 0)}的整数"
        if "string" in types and not isinstance(value, str):
            return f"{key} 应为字符串"
    return ""


def parse_time(value) -> datetime | None:
    """An ISO 8601 date-time with its offset (as exported), else None."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
