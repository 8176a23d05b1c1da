"""``zhifa integrations simulate|drain|reconcile``: run the local simulator of the receiving platforms (127.0.0.1
only), deliver what is due now, or reconcile one day."""

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "对外接口：simulate（启动本地模拟接收平台）、drain（立即发送到期报送）、reconcile（按日对账）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="启动本地模拟接收平台（仅监听 127.0.0.1）")
        sim.add_argument("--port", type=int, default=8765)
        sim.add_argument("--timeout-seconds", type=float, default=10.0, help="模拟“超时”时的等待秒数")
        drain = sub.add_parser("drain", help="立即发送所有到期报送")
        drain.add_argument("--target", default=None)
        rec = sub.add_parser("reconcile", help="对账（默认昨天）")
        rec.add_argument("--day", default=None, help="YYYY-MM-DD")

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "simulate":
            from zhifa.integrations.simulator import Simulator

            sim = Simulator(port=opts["port"], timeout_seconds=opts["timeout_seconds"]).start()
            self.stdout.write(f"模拟接收平台已启动：{sim.url}（设置 INTEGRATION_SIMULATOR_URL={sim.url}），按 Ctrl+C 停止。")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                sim.stop()
            return
        if action == "drain":
            from zhifa.integrations.outbox import drain_all

            counts = drain_all(target=opts["target"])
            self.stdout.write("已处理：" + ("，".join(f"{k} {v}" for k, v in counts.items()) or "无到期报送"))
            return
        from zhifa.integrations.models import Target
        from zhifa.integrations.services import reconcile

        try:
            day = date.fromisoformat(opts["day"]) if opts["day"] else timezone.localdate() - timedelta(days=1)
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        for row in reconcile(day=day):
            self.stdout.write(f"{Target(row.target).label} {day}：应报送 {row.expected}，已确认 {row.acknowledged}，"
                              f"差异 {len(row.differences)}")
