"""Demo for the integrations app: the messages the other apps' demo acts wrote to the outbox are delivered to the
local simulator (started for the load when no receiver is configured), with a few rejections to resolve in the
console (接口报送) and a reconciliation of the demo day. Deterministic: the rejected ones are the first by order."""

from django.conf import settings

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
    finally:
        if sim is not None:
            settings.INTEGRATION_SIMULATOR_URL = saved
            sim.stop()
    services.reconcile(day=ctx.today)
    counts = {s: Message.objects.filter(status=s).count() for s in Message.Status.values}
    ctx.notes.append(
        f"接口报送：已确认 {counts['acknowledged']} 条，被退回 {counts['rejected']} 条（在“接口报送”中查看原因并重发），"
        f"待发送 {counts['pending']} 条；演示时由本地模拟接收平台应答（zhifa integrations simulate）。")
