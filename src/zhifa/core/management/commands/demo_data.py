"""zhifa demo-data [--scale N] [--seed S] [--today YYYY-MM-DD] — load the deterministic demo into an empty
database: the core registers, then each app's demo (``<app>/demo.py: load(ctx)``) in the order of the work
(``settings.ZHIFA_WORK_ORDER``)."""

import random
import time
from datetime import date
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.demo import DEMO_PASSWORD, DemoContext
from zhifa.core.models import Organisation


class Command(BaseCommand):
    help = "生成确定性的演示数据（基础数据与各业务模块）"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiplier for companies, vehicles, drivers (default 1)")
        parser.add_argument("--seed", type=int, default=20261121)
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="anchor date (default: today)")
        parser.add_argument("--only", default="", help="comma-separated app labels to load (default: all)")

    def handle(self, *args, scale, seed, today, only, **opts):
        if Organisation.objects.exists():
            raise CommandError("数据库中已有数据：演示数据只能载入空数据库（可删除 var/zhifa.sqlite3 后重试）。")
        if scale < 1:
            raise CommandError("--scale 必须为正整数")
        # Checkpoints of an earlier database under the same name (a deleted demo database) would report the new
        # chain as rewritten: set them aside, as docs/deployment.md says to after a restore.
        stale = audit.checkpoint_list()
        if stale:
            aside = audit.checkpoint_dir() / f"superseded-{timezone.now():%Y%m%d-%H%M%S}"
            aside.mkdir()
            for mark in stale:
                (audit.checkpoint_dir() / mark.name).rename(aside / mark.name)
            self.stdout.write(f"已将 {len(stale)} 个旧链头检查点移至 {aside}（属于此前删除的数据库）")
        ctx = DemoContext(rng=random.Random(seed), today=today or timezone.localdate(), scale=scale)
        wanted = {x.strip() for x in only.split(",") if x.strip()}
        for dotted in settings.ZHIFA_WORK_ORDER:
            label = dotted.rsplit(".", 1)[-1]
            if wanted and label not in wanted and label != "core":
                continue
            if find_spec(f"{dotted}.demo") is None:
                continue
            started = time.monotonic()
            # The demo never changes the calendar: one snapshot serves each app's thousands of deadlines.
            with legal_calendar.shared():
                import_module(f"{dotted}.demo").load(ctx)
            self.stdout.write(f"  {label:<12} {time.monotonic() - started:6.1f}s")
        mark = audit.checkpoint_write()
        self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
        self.stdout.write(f"全过程记录链头检查点：#{mark['seq']} → {mark['path']}")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, org in ctx.accounts:
            self.stdout.write(f"  {username:<14} {role:<16} {org}")
        for note in ctx.notes:
            self.stdout.write(f"  · {note}")
