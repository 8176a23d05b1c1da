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
]


def _rules() -> list[dict]:
    rules = []
    for target, count, reason in REJECTIONS:
        for key in Message.objects.filter(target=target).order_by("pk").values_list("idempotency_key", flat=True)[:count]:
            rules.append({"target": target, "key": key, "mode": "reject", "reason": reason, "times": 1})
    return rules


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
    finally:
        if sim is not None:
            settings.INTEGRATION_SIMULATOR_URL = saved
            sim.stop()
    services.reconcile(day=ctx.today)
    counts = {s: Message.objects.filter(status=s).count() for s in Message.Status.values}
    ctx.notes.append(
        f"接口报送：已确认 {counts['acknowledged']} 条，被退回 {counts['rejected']} 条（在“接口报送”中查看原因并重发），"
        f"待发送 {counts['pending']} 条；演示时由本地模拟接收平台应答（zhifa integrations simulate）。")
