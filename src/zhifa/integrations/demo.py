"""Demo for the integrations app: the messages the other apps' demo acts wrote to the outbox are delivered to the
local simulator (started for the load when no receiver is configured), with a few rejections to resolve in the
console (接口报送) and a reconciliation of the demo day. Deterministic: the rejected ones are the first by order.
The simulated provincial platform also pushes two 预警抄告 by HTTP into our own inbound API (served for the load on a
loopback port): acknowledged at once, one handled and answered back, one left to handle."""

import json
import threading
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.core.demo import DemoContext

from . import outbox, services
from .models import Message
from .simulator import Simulator

REJECTIONS = [  # (target, how many of its first messages, the receiver's reason)
    ("supervision", 2, "违法行为编码不在省平台目录中（模拟接收平台）"),
    ("publicity", 1, "处罚机关统一社会信用代码与登记信息不符（模拟接收平台）"),
    ("overload_net", 1, "检测站点编码未在省级联网系统备案（模拟接收平台）"),
]


def _rules() -> list[dict]:
    rules = []
    for target, count, reason in REJECTIONS:
        for key in Message.objects.filter(target=target).order_by("pk").values_list("idempotency_key", flat=True)[:count]:
            rules.append({"target": target, "key": key, "mode": "reject", "reason": reason, "times": 1})
    return rules


def _network_download(ctx: DemoContext, sim: Simulator) -> None:
    """四级联网 download: two violations another province's station reported for a vehicle of ours,
    pulled into its unit's records so that 一超四罚 counts them (docs/integrations/overload-net.md)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from zhifa.overload.models import Violation

    from . import overload_net

    violation = (Violation.objects.filter(vehicle__isnull=False).select_related("vehicle")
                 .order_by("pk").first())
    if violation is None or "admin" not in ctx.users:
        return
    vehicle = violation.vehicle
    def at(days: int) -> str:
        return timezone.make_aware(datetime.combine(ctx.today - timedelta(days=days), time(14))).isoformat()

    sim.network_rows(*[{
        "format": "zhifa-overload-exchange/1", "kind": "violation", "origin_org": "C610100",
        "origin_id": f"SX{n}", "origin_org_name": "陕西省西安市交通运输综合执法支队（演示）",
        "plate": vehicle.plate, "plate_colour": vehicle.plate_colour, "station_code": "S610100G30",
        "pass_count": 1, "axle_count": 6, "first_passed_at": at(days), "gross_kg": 58_000 + n * 1_000,
        "limit_kg": 49_000, "excess_kg": 8_000 + n * 1_000, "status": "case",
    } for n, days in ((1, 40), (2, 100))])
    counts = overload_net.download(actor=ctx.users["admin"], vehicle=vehicle)
    ctx.notes.append(f"四级联网：下载车辆 {vehicle.plate} 在外省的超限记录 {counts['received']} 条"
                     f"（新增 {counts['created']}），已计入一超四罚的12个月累计次数。")


def _serve_api():
    """Our own platform on a free loopback port, in a thread, for the load's inbound pushes (the demo loads before
    ``zhifa demo`` serves it): the province's push goes over HTTP, through the API, as in production."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):  # the demo's output stays the loaders' notes
            pass

    class Threaded(WSGIServer):
        daemon_threads = True

    django_app = get_wsgi_application()

    def app(environ, start_response):
        try:
            return django_app(environ, start_response)
        finally:  # each request runs on a thread of its own: its connection goes with it
            from django.db import connections

            connections.close_all()

    server = make_server("127.0.0.1", 0, app, server_class=Threaded, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="demo-inbound-api", daemon=True).start()
    return server


WARNINGS = [  # (class, category, description, handled) — pushed by the simulated provincial platform
    (2, "驾驶员疲劳驾驶", "车辆动态监控：驾驶员连续驾驶超过4小时未停车休息（演示推送）", True),
    (1, "车辆动态监控离线", "车辆卫星定位装置离线超过24小时（演示推送）", False),
]


def _warnings_pushed(ctx: DemoContext, sim: Simulator) -> None:
    """预警抄告 by API (docs/integrations/provincial-warnings.md): the simulator, as the provincial platform, POSTs
    each warning to ``/api/v1/integrations/warnings`` of our server with the province's API token; our answer is the
    acknowledgement. The first is handled (责令整改, 办结) and its reply goes back through the outbox; the second waits
    in 预警抄告 for the user. Needs committed data (a server thread has its own connection): inside a transaction
    (a test's) the push is left out."""
    from zhifa.core.auth import token_create
    from zhifa.core.models import TransportCompany
    from zhifa.inspections import services as inspections
    from zhifa.inspections.models import ProvincialWarning

    officer = ctx.users.get("officer")
    if officer is None or transaction.get_connection().in_atomic_block:
        return
    firm = TransportCompany.objects.filter(organisation=officer.organisation).order_by("pk").first()
    token = token_create(user=officer, name="省综合交通服务管理平台（预警抄告推送，演示）")
    server = _serve_api()
    answers = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/integrations/warnings"
        for n, (cls, category, description, _) in enumerate(WARNINGS):
            warning = {"warning_id": f"HN-YJ-API-{ctx.today:%Y%m%d}{n + 1:03d}", "warning_class": cls,
                       "category": category, "description": description,
                       "occurred_at": (timezone.now() - timedelta(hours=3 + n)).isoformat(),
                       "credit_code": firm.credit_code if firm else "", "plate": ""}
            body = json.dumps({"url": url, "token": token, "warning": warning}, ensure_ascii=False).encode()
            req = urllib.request.Request(sim.url + "/_sim/warning/push", data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                answers.append((warning, json.loads(resp.read())))
    finally:
        server.shutdown()
        server.server_close()
    received = [(w, a["answer"]) for w, a in answers if a.get("status") == 201]
    for (w, _), (*_, handled) in zip(received, WARNINGS, strict=False):
        if not handled:
            continue
        row = ProvincialWarning.objects.get(external_id=w["warning_id"])
        inspections.warning_notify(actor=officer, warning=row, deadline=timezone.localdate() + timedelta(days=7),
                                   note="责令企业对驾驶员进行安全教育并调整排班")
        inspections.warning_close(actor=officer, warning=row, result="企业已完成整改，驾驶员已停岗培训")
    outbox.drain_all(target="warning")
    replies = len(sim.accepted("warning"))
    ctx.notes.append(f"预警抄告接口：模拟省平台经 HTTP 推送 {len(answers)} 条至 /api/v1/integrations/warnings，"
                     f"即时确认 {len(received)} 条（受理编号 {'、'.join(a['reference'] for _, a in received) or '无'}）；"
                     f"其中 1 条已办结并将处置结果回复省平台（已确认 {replies} 条），其余在“预警抄告”中待处置。")


def load(ctx: DemoContext) -> None:
    if not Message.objects.exists():
        return
    configured = any((c or {}).get("url") for c in settings.INTEGRATION_ENDPOINTS.values()) or settings.INTEGRATION_SIMULATOR_URL
    sim = None
    saved = settings.INTEGRATION_SIMULATOR_URL
    if not configured:
        sim = Simulator(port=0).start()
        sim.script(*_rules())
        settings.INTEGRATION_SIMULATOR_URL = sim.url
    try:
        outbox.drain_all(rounds=1000)
        if sim is not None:
            _network_download(ctx, sim)
            _warnings_pushed(ctx, sim)
    finally:
        if sim is not None:
            settings.INTEGRATION_SIMULATOR_URL = saved
            sim.stop()
    services.reconcile(day=ctx.today)
    counts = {s: Message.objects.filter(status=s).count() for s in Message.Status.values}
    ctx.notes.append(
        f"接口报送：已确认 {counts['acknowledged']} 条，被退回 {counts['rejected']} 条（在“接口报送”中查看原因并重发），"
        f"待发送 {counts['pending']} 条；演示时由本地模拟接收平台应答（zhifa integrations simulate）。")
