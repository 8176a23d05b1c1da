"""``zhifa check figures`` (also ``zhifa check-figures``): recompute every invariant between the registers' figures
from the raw rows and print each failure; exit status 1 when any invariant fails (CI runs it over the demo)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhifa.reports import consistency


class Command(BaseCommand):
    help = "一致性核对：重新计算各项数字之间的约束（严重失信名单与等级、年审学时、比率、按单位合计、公开一致、结案罚款、听证通知时限），逐条列出不一致。"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="核对基准日（默认今天）")
        parser.add_argument("--only", default="", help="只核对这些项（逗号分隔）：" + ",".join(consistency.BY_KEY))

    def handle(self, *args, today=None, only="", **opts):
        wanted = [k.strip() for k in only.split(",") if k.strip()]
        unknown = [k for k in wanted if k not in consistency.BY_KEY]
        if unknown:
            raise CommandError(f"未知的核对项：{'、'.join(unknown)}（可选：{'、'.join(consistency.BY_KEY)}）")
        failed = 0
        for result in consistency.run(today=today, only=wanted or None):
            mark = "通过" if not result.count else f"不一致 {result.count} 处"
            self.stdout.write(f"[{'OK' if not result.count else 'FAIL'}] {result.check.title}：{mark}")
            for line in result.failures:
                self.stdout.write(f"    - {line}")
            if result.count > len(result.failures):
                self.stdout.write(f"    …… 另有 {result.count - len(result.failures)} 处未列出")
            failed += result.count
        if failed:
            raise CommandError(f"一致性核对未通过：共 {failed} 处不一致。")
        self.stdout.write(self.style.SUCCESS("一致性核对全部通过。"))
