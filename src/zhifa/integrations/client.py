"""The HTTP client of the outbox: one JSON POST per try, short timeouts, keep-alive connections per thread.

The receiver's answer is read as: 2xx with ``{"result": "accepted"|"duplicate", "reference"}`` → acknowledged;
400/409/422 with ``{"result": "rejected", "reason"}`` → rejected (not retried: the record must be corrected);
anything else, a refused connection or a timeout → an error that is retried with backoff."""

import hashlib
import hmac
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

_local = threading.local()


@dataclass
class Result:
    outcome: str  # Attempt.Outcome
    http_status: int | None = None
    reason: str = ""
    reference: str = ""
    duration_ms: int = 0


def sign(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the raw body (the same scheme as the payment callback's ``X-Signature``)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _connection(scheme: str, host: str, port: int, timeout: float):
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    key = (scheme, host, port)
    conn = conns.get(key)
    if conn is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = conns[key] = cls(host, port, timeout=timeout)
    return conn


def _drop(scheme: str, host: str, port: int) -> None:
    conn = getattr(_local, "conns", {}).pop((scheme, host, port), None)
    if conn is not None:
        conn.close()


def post(url: str, payload: dict, *, headers: dict, secret: str = "", timeout: float | None = None) -> Result:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    timeout = timeout if timeout is not None else settings.INTEGRATION_TIMEOUT
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hdrs = {"Content-Type": "application/json; charset=utf-8", **headers}
    if secret:
        hdrs["X-Zhifa-Signature"] = sign(body, secret)
    started = time.monotonic()
    ms = lambda: int((time.monotonic() - started) * 1000)  # noqa: E731
    conn = _connection(parts.scheme, parts.hostname, port, timeout)
    try:
        if conn.sock is None:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.request("POST", parts.path or "/", body=body, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
    except TimeoutError:
        _drop(parts.scheme, parts.hostname, port)
        return Result("timeout", reason=f"接收方在{timeout:g}秒内未应答", duration_ms=ms())
    except (OSError, http.client.HTTPException) as exc:
        _drop(parts.scheme, parts.hostname, port)
        return Result("error", reason=f"无法连接接收方：{exc.__class__.__name__}", duration_ms=ms())
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    reference = str(answer.get("reference") or "")[:80]
    reason = str(answer.get("reason") or "")[:500]
    if 200 <= resp.status < 300 and answer.get("result") in ("accepted", "duplicate"):
        return Result(answer["result"], resp.status, reason, reference, ms())
    if resp.status in (400, 409, 422) and answer.get("result") == "rejected":
        return Result("rejected", resp.status, reason or "接收方退回，未说明原因", reference, ms())
    return Result("error", resp.status, reason or f"接收方返回 HTTP {resp.status}", reference, ms())


def fetch_signed(url: str, *, secret: str, signature_header: str, timeout: float | None = None,
                 what: str = "对账文件") -> tuple[dict, str]:
    """GET a file a receiver publishes (the finance system's daily reconciliation file, the 四级联网's
    answer to a query), its body signed like our messages: (the JSON, "") or ({}, the reason in
    Chinese). A 400/409/422 answer's ``reason`` (the receiver refused the query) is given as the reason."""
    timeout = timeout if timeout is not None else settings.INTEGRATION_TIMEOUT
    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), timeout=timeout)
    try:
        conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        raw = resp.read()
    except TimeoutError:
        return {}, f"接收方在{timeout:g}秒内未应答"
    except (OSError, http.client.HTTPException) as exc:
        return {}, f"无法取得{what}：{exc.__class__.__name__}"
    finally:
        conn.close()
    if resp.status in (400, 409, 422):
        try:
            reason = str(json.loads(raw).get("reason") or "")[:500]
        except (ValueError, AttributeError):
            reason = ""
        return {}, f"接收方拒绝：{reason or f'HTTP {resp.status}'}"
    if resp.status != 200:
        return {}, f"无法取得{what}：HTTP {resp.status}"
    if secret and not hmac.compare_digest(sign(raw, secret), resp.getheader(signature_header, "")):
        return {}, f"{what}签名校验失败，未采用"
    try:
        data = json.loads(raw)
    except ValueError:
        return {}, f"{what}不是有效的JSON"
    return (data, "") if isinstance(data, dict) else ({}, f"{what}格式不正确")
