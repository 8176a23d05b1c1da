"""A local stand-in for every receiving platform (``zhifa integrations simulate``; the tests start it on a free
loopback port). It accepts a message once per idempotency key and answers a repeat with "duplicate"; it rejects
with a reason (a required field missing, or a scripted rule), times out, or fails with HTTP 503, as configured.

Control (JSON POST, loopback only):
- ``/_sim/rules`` ``{"rules": [{"target", "kind", "match", "key", "mode": "reject"|"timeout"|"error"|"hold", "reason", "times", "seconds"}]}``
  — the first rule whose target/kind match, whose ``match`` is in the idempotency key (or whose ``key`` is the key)
  applies (``times``: how
  many requests, default unlimited; ``hold``: the message is recorded, then the answer waits ``seconds`` — a
  sender killed meanwhile never learns it was received); ``/_sim/reset`` forgets rules and received messages;
- ``GET /_sim/received`` lists accepted messages in arrival order;
- ``/_sim/config`` ``{"secrets": {target: key}}``: requests to that target must carry ``X-Zhifa-Signature`` under the
  key (else 401), and the finance system signs its notifications and daily file with it;
- the finance system (``feishui``): ``/feishui/code-request`` answers the 缴款码 as its reference;
  ``/_sim/feishui/pay`` ``{"payment_code", "amount_yuan", "paid_at", "bill_no", "sign_with"}`` takes a payment and
  answers ``{"body", "signature"}`` — the notification it sends to ``/api/v1/payments/feishui/notify`` (``sign_with``
  signs with another key, to try a forged one); ``GET /feishui/reconciliation/<YYYY-MM-DD>`` is its daily file.
- the 四级联网 (``overload_net``): ``/_sim/overload_net/violations`` ``{"rows": [...]}`` adds other
  units' violations (exchange rows); ``GET /overload_net/violations?plate=&plate_colour=&since=`` (or
  ``driver_qualification=``, ``company_credit_code=``) answers them, signed; rules of kind
  ``violations`` (``match`` in the query string) reject, time out, fail, or ``duplicate`` (every row
  answered twice).
- the provincial platform (预警抄告) pushes too: ``/_sim/warning/push`` ``{"url", "token", "warning"}`` POSTs the
  warning to our ``/api/v1/integrations/warnings`` with the account's bearer token and answers ``{"status",
  "answer"}`` (``Simulator.push_warning`` does the same from Python); its replies arrive at ``/warning/warning-reply``.
Per request, a header ``X-Sim-Mode: reject|timeout|error`` overrides the rules (for trying it by hand).
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Fields each simulated receiver requires (what a provincial platform validates on intake).
REQUIRED = {
    "supervision": [("party.name", "缺少当事人名称"), ("party.address", "缺少当事人住所（地址）"),
                    ("decision.number", "缺少决定书文号")],
    "publicity": [("row.行政相对人名称", "缺少行政相对人名称"), ("row.数据来源单位统一社会信用代码", "缺少数据来源单位统一社会信用代码")],
    "hotline": [("work_order_id", "缺少工单编号"), ("reply", "缺少答复内容")],
    "feishui": [("agency_code", "缺少执收单位编码"), ("amount_yuan", "缺少应缴金额"), ("payer.name", "缺少缴款人名称")],
    "overload_net": [("agency.code", "缺少执法机构编码"), ("party.name", "缺少当事人名称"),
                     ("party.id_number", "缺少当事人证件号码（统一社会信用代码或身份证号码）")],
    "regulation": [("subject.name", "缺少监管对象名称"), ("subject.identifier", "缺少监管对象统一社会信用代码或证件号码"),
                   ("agency.code", "缺少实施机构编码"), ("behaviour.date", "缺少监管行为日期")],
    "warning": [("warning_id", "缺少预警编号"), ("result", "缺少处置结果")],
}
# The 四级联网's query: which row field each query parameter selects on (docs/integrations/overload-net.md).
NETWORK_QUERY = {"plate": "plate", "plate_colour": "plate_colour",
                 "driver_qualification": "driver_qualification", "company_credit_code": "company_credit_code"}


def _get(data: dict, path: str):
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


class State:
    """What the simulator has received and how it is told to behave (shared by the request threads)."""

    def __init__(self, timeout_seconds: float = 10.0, secrets: dict | None = None):
        self.lock = threading.Lock()
        self.received: list[dict] = []
        self.keys: dict[str, str] = {}
        self.rules: list[dict] = []
        self.requests = 0
        self.timeout_seconds = timeout_seconds
        self.secrets = dict(secrets or {})  # target → key: requests are checked, notifications signed with it
        self.finance = Finance()
        self.network: list[dict] = []  # other units' overload violations the 四级联网 holds (download side)

    def reset(self):
        with self.lock:
            self.received.clear()
            self.keys.clear()
            self.rules.clear()
            self.requests = 0
            self.finance = Finance()
            self.network = []

    def network_query(self, query: dict) -> list[dict]:
        """The network's rows matching every query parameter given, acts since ``since`` (a date)."""
        since = query.get("since", "")
        with self.lock:
            return [dict(r) for r in self.network if str(r.get("first_passed_at", ""))[:10] >= since
                    and all(str(r.get(field) or "") == query[param] for param, field in NETWORK_QUERY.items()
                            if query.get(param))]


    def rule_for(self, target: str, kind: str, key: str) -> dict | None:
        with self.lock:
            for rule in self.rules:
                if rule.get("target") not in (None, target) or rule.get("kind") not in (None, kind):
                    continue
                if rule.get("match", "") not in key or rule.get("key", key) != key:
                    continue
                if rule.get("times") is not None:
                    if rule["times"] <= 0:
                        continue
                    rule["times"] -= 1
                return rule
        return None


class Finance:
    """The finance bureau's 非税收入收缴系统 as the simulator plays it (docs/integrations/feishui.md): it issues a
    缴款码 per request (once per idempotency key: a repeat gets the same code), takes payments against its codes
    (``/_sim/feishui/pay``), signs the notification it sends for each, and serves the daily reconciliation file."""

    def __init__(self):
        self.codes: dict[str, dict] = {}  # code → the request it was issued for
        self.payments: list[dict] = []   # the notifications it sent, in order
        self.seq = 0

    def issue(self, request: dict) -> str:
        self.seq += 1
        # Not our format (no check digit): 财政区划 (the agency code's first six characters), year, a sequence.
        region = "".join(ch for ch in str(request.get("agency_code", "")) if ch.isdigit())[:6].ljust(6, "0")
        code = f"{region}{time.strftime('%y')}{self.seq:010d}"
        self.codes[code] = request
        return code

    def pay(self, data: dict, secret: str) -> tuple[int, dict]:
        code = str(data.get("payment_code", ""))
        request = self.codes.get(code)
        if request is None:
            return 404, {"result": "rejected", "reason": "缴款码不存在"}
        bill = str(data.get("bill_no") or f"FS{len(self.payments) + 1:012d}")
        notification = {
            "format": "zhifa-feishui/1", "bill_no": bill, "payment_code": code, "agency_code": request.get("agency_code", ""),
            "amount_yuan": str(data.get("amount_yuan") or request.get("amount_yuan")), "paid_at": data.get("paid_at"),
            "payer_name": (request.get("payer") or {}).get("name", ""), "channel": data.get("channel", "网上银行"),
            "status": "PAID",
        }
        body = json.dumps(notification, ensure_ascii=False, sort_keys=True)
        signature = _sign(body.encode(), data.get("sign_with", secret))
        self.payments.append(notification)
        return 200, {"body": body, "signature": signature}

    def daily_file(self, day: str) -> list[dict]:
        """The payments of ``day`` in Beijing time (a payment at 00:30 +08:00 is 16:30 UTC the day before)."""
        return [p for p in self.payments if _local_day(p.get("paid_at")) == day]


def _local_day(value) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        at = datetime.fromisoformat(str(value or ""))
    except ValueError:
        return str(value or "")[:10]
    return (at.astimezone(ZoneInfo("Asia/Shanghai")) if at.tzinfo else at).date().isoformat()


def _sign(body: bytes, secret: str) -> str:
    import hashlib
    import hmac

    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real gateway
    state: State

    def setup(self):
        super().setup()
        # Headers and body are separate writes: without NODELAY, Nagle and the client's delayed ACK add ~40 ms each.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): nothing to answer
            self.close_connection = True

    def _network_get(self) -> None:
        """``GET /overload_net/violations?plate=&plate_colour=`` (or ``driver_qualification=``,
        ``company_credit_code=``), ``since=YYYY-MM-DD``: the rows, signed; the rules of target
        ``overload_net``, kind ``violations`` apply (reject with a reason, timeout, error, and
        ``duplicate``: every row twice)."""
        from urllib.parse import parse_qsl, urlsplit

        query = dict(parse_qsl(urlsplit(self.path).query))
        with self.state.lock:
            self.state.requests += 1
        mode = self.headers.get("X-Sim-Mode")
        rule = ({"mode": mode, "reason": "模拟退回"} if mode
                else self.state.rule_for("overload_net", "violations", urlsplit(self.path).query))
        if rule and rule["mode"] == "timeout":
            time.sleep(self.state.timeout_seconds)
            return self._answer(504, {"result": "error", "reason": "timeout"})
        if rule and rule["mode"] == "error":
            return self._answer(503, {"result": "error", "reason": "接收方暂不可用"})
        if rule and rule["mode"] == "reject":
            return self._answer(422, {"result": "rejected", "reason": rule.get("reason") or "模拟退回"})
        if not any(query.get(p) for p in NETWORK_QUERY):
            return self._answer(422, {"result": "rejected",
                                      "reason": "缺少查询条件（号牌、从业资格证号或统一社会信用代码）"})
        rows = self.state.network_query(query)
        if rule and rule["mode"] == "duplicate":  # the same rows twice (a network that repeats itself)
            rows = rows + rows
        return self._signed({"format": "zhifa-overload-net/1", "rows": rows}, "X-Zhifa-Signature",
                            self.state.secrets.get("overload_net", ""))

    def _signed(self, data: dict, header: str, secret: str) -> None:
        """A 200 JSON answer whose body is signed (HMAC-SHA256 under ``secret``) in ``header``."""
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header(header, _sign(body, secret))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/overload_net/violations"):
            return self._network_get()
        if self.path == "/_sim/received":
            with self.state.lock:
                return self._answer(200, {"received": list(self.state.received), "requests": self.state.requests})
        if self.path.startswith("/feishui/reconciliation/"):  # the finance system's daily file (对账文件)
            day = self.path.rsplit("/", 1)[-1]
            with self.state.lock:
                rows = self.state.finance.daily_file(day)
            return self._signed({"format": "zhifa-feishui/1", "day": day, "rows": rows}, "X-Feishui-Signature",
                                self.state.secrets.get("feishui", ""))
        self._answer(404, {"result": "error", "reason": "not found"})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(400, {"result": "rejected", "reason": "报文不是有效的JSON"})
        if self.path == "/_sim/rules":
            with self.state.lock:
                self.state.rules = list(data.get("rules", []))
            return self._answer(200, {"ok": True})
        if self.path == "/_sim/reset":
            self.state.reset()
            return self._answer(200, {"ok": True})
        if self.path == "/_sim/config":
            with self.state.lock:
                self.state.secrets.update(data.get("secrets") or {})
            return self._answer(200, {"ok": True})
        if self.path == "/_sim/overload_net/violations":  # what other units reported to the network
            with self.state.lock:
                self.state.network.extend(r for r in data.get("rows", []) if isinstance(r, dict))
            return self._answer(200, {"ok": True})
        if self.path == "/_sim/warning/push":  # the provincial platform pushes a warning to us
            status, answer = push_warning(data.get("url", ""), data.get("token", ""), data.get("warning") or {})
            return self._answer(200, {"status": status, "answer": answer})
        if self.path == "/_sim/feishui/pay":  # a payer pays a finance code: the signed notification is the answer
            with self.state.lock:
                status, answer = self.state.finance.pay(data, self.state.secrets.get("feishui", ""))
            return self._answer(status, answer)
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in REQUIRED:
            return self._answer(404, {"result": "error", "reason": "unknown path"})
        target, kind = parts[0], parts[1].replace("-", "_")
        key = self.headers.get("Idempotency-Key", "")
        with self.state.lock:
            self.state.requests += 1
        mode = self.headers.get("X-Sim-Mode")
        rule = {"mode": mode, "reason": "模拟退回"} if mode else self.state.rule_for(target, kind, key)
        if rule and rule["mode"] == "timeout":
            time.sleep(self.state.timeout_seconds)
            return self._answer(504, {"result": "error", "reason": "timeout"})
        if rule and rule["mode"] == "error":
            return self._answer(503, {"result": "error", "reason": "接收方暂不可用"})
        if not key:
            return self._answer(400, {"result": "rejected", "reason": "缺少幂等键（Idempotency-Key）"})
        secret = self.state.secrets.get(target)
        if secret and self.headers.get("X-Zhifa-Signature", "") != _sign(raw, secret):
            return self._answer(401, {"result": "error", "reason": "签名校验失败"})
        with self.state.lock:
            if key in self.state.keys:
                return self._answer(200, {"result": "duplicate", "reference": self.state.keys[key]})
        if rule and rule["mode"] == "reject":
            return self._answer(422, {"result": "rejected", "reason": rule.get("reason") or "模拟退回"})
        for path, reason in REQUIRED[target]:
            if not _get(data, path):
                return self._answer(422, {"result": "rejected", "reason": f"{reason}（{path}）"})
        with self.state.lock:
            if key in self.state.keys:  # a concurrent repeat
                return self._answer(200, {"result": "duplicate", "reference": self.state.keys[key]})
            if target == "feishui" and kind == "code_request":
                reference = self.state.finance.issue(data)  # the answer is the finance system's 缴款码
            else:
                reference = f"SIM-{target[:3].upper()}-{len(self.state.received) + 1:08d}"
            self.state.keys[key] = reference
            self.state.received.append({"target": target, "kind": kind, "key": key, "reference": reference, "payload": data})
        if rule and rule["mode"] == "hold":  # recorded, then the answer is late (the sender may die waiting for it)
            time.sleep(float(rule.get("seconds", self.state.timeout_seconds)))
        self._answer(200, {"result": "accepted", "reference": reference})


def push_warning(url: str, token: str, warning: dict, timeout: float = 10.0) -> tuple[int, dict]:
    """The provincial platform's push of one warning (docs/integrations/provincial-warnings.md): POST ``url`` (our
    ``…/api/v1/integrations/warnings``) with a bearer token; returns (HTTP status, the answer)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=json.dumps(warning, ensure_ascii=False).encode(), method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}


class Simulator:
    """A running simulator: ``Simulator(port=0).start()``; ``.url``; ``.stop()``. Binds to 127.0.0.1 only."""

    def __init__(self, port: int = 0, *, timeout_seconds: float = 10.0, secrets: dict | None = None):
        self.state = State(timeout_seconds, secrets)
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Simulator":
        self.thread = threading.Thread(target=self.server.serve_forever, name="integrations-simulator", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *rules: dict) -> None:
        with self.state.lock:
            self.state.rules = [dict(r) for r in rules]

    def network_rows(self, *rows: dict) -> None:
        """Other units' overload violations the simulated 四级联网 answers queries with."""
        with self.state.lock:
            self.state.network.extend(dict(r) for r in rows)
    def push_warning(self, url: str, token: str, warning: dict) -> tuple[int, dict]:
        return push_warning(url, token, warning)

    def accepted(self, target: str | None = None) -> list[dict]:
        with self.state.lock:
            return [r for r in self.state.received if target in (None, r["target"])]
