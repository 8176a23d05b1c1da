"""REST API of the overload app: the station push endpoint (per-station HMAC key, no user token) and read access
to violations for officers (keyset pagination, jurisdiction applied).

Station push: ``POST /api/v1/overload/push`` with headers ``X-Station: <code>``, ``X-Timestamp: <unix seconds>``
and ``X-Signature: hex(HMAC-SHA256(station secret, timestamp + "\\n" + raw body))``; body
``{"records": [<WIM record>, …]}`` (docs/overload.md). Replays are harmless: records are idempotent by key.
"""

import hashlib
import hmac
import json
import time
from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhifa.core.errors import DomainError
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut

from . import ingest, selectors
from .models import Station

router = Router(tags=["overload"])
MAX_SKEW_SECONDS = 300
MAX_RECORDS = 10_000


class PushOut(Schema):
    batch: int
    read: int
    accepted: int
    rejected: int
    duplicates: int
    violations_new: int
    report: str


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()


def _authenticate_station(request: HttpRequest) -> Station:
    code = request.headers.get("X-Station", "")
    stamp = request.headers.get("X-Timestamp", "")
    given = request.headers.get("X-Signature", "")
    station = Station.objects.filter(code=code, is_active=True).exclude(push_secret="").select_related("organisation").first()
    if station is None or not stamp.isdigit():
        raise DomainError("unauthenticated", "站点身份验证失败。", status=401)
    if abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        raise DomainError("stale_request", "请求时间戳超出允许范围（5分钟）。", status=401)
    if not hmac.compare_digest(signature(station.push_secret, stamp, request.body), given.lower()):
        raise DomainError("bad_signature", "请求签名不正确。", status=401)
    return station


@router.post("/push", auth=None, response={200: PushOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut},
             summary="检测站点推送称重记录（HMAC 签名）")
def push(request):
    station = _authenticate_station(request)
    try:
        payload = json.loads(request.body)
        records = payload["records"]
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ValueError
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError("invalid_body", "请求体应为 {\"records\": [...]} 格式的JSON。") from exc
    if len(records) > MAX_RECORDS:
        raise DomainError("too_many", f"每次最多推送{MAX_RECORDS}条记录。", status=413)
    batch = ingest.ingest_records(records, station=station, name=f"{station.code} 推送 {len(records)} 条",
                                  body_sha256=hashlib.sha256(request.body).hexdigest())
    return {"batch": batch.pk, "read": batch.read, "accepted": batch.accepted, "rejected": batch.rejected,
            "duplicates": batch.duplicates, "violations_new": batch.violations_new, "report": batch.report_name}


class ViolationOut(Schema):
    id: int
    plate: str
    plate_colour: str
    station_id: int
    first_passed_at: datetime
    pass_count: int
    gross_kg: int
    limit_kg: int
    excess_kg: int
    status: str
    case_id: int | None


class ViolationPage(Schema):
    items: list[ViolationOut]
    next_cursor: int | None = None


@router.get("/violations", response=ViolationPage, summary="超限违法行为（本辖区）")
def violations(request, status: str = Query(""), plate: str = Query("", max_length=12), after: int | None = None,
               limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.violations_for(request.auth if hasattr(request.auth, "pk") else request.user,
                                                   status=status, plate=plate), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}
