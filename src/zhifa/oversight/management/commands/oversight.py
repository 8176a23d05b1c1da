"""zhifa oversight {load-standard, load-powers, sync-cases, overdue-scan}: data loading and the overdue scan."""

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.models import Organisation

from ... import loader, services


class Command(BaseCommand):
    help = "内部监督：载入评查标准、载入权责清单、登记已结案件、逾期扫描"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load-standard", "load-powers", "sync-cases", "overdue-scan"])
        parser.add_argument("--bureau", help="权责清单公布单位的机构代码（load-powers）")
        parser.add_argument("--brigade", help="执法大队的机构代码（load-powers，处罚、强制、检查的实施主体）")
        parser.add_argument("--reason", default="权责清单梳理公布", help="调整理由（load-powers）")

    def handle(self, *args, action, **opts):
        if action == "load-standard":
            standard = loader.load_standard()
            self.stdout.write(f"评查标准：{standard}，{standard.items.count()} 项，满分 {standard.total_points}")
        elif action == "load-powers":
            bureau = Organisation.objects.filter(code=opts.get("bureau") or "").first()
            if bureau is None:
                raise CommandError("请用 --bureau 指定公布单位的机构代码。")
            brigade = Organisation.objects.filter(code=opts.get("brigade") or "").first()
            n = loader.load_powers(actor=None, bureau=bureau, brigade=brigade, reason=opts["reason"])
            self.stdout.write(f"{bureau.name}：新增权力事项 {n} 项")
        elif action == "sync-cases":
            self.stdout.write(f"登记已结案件 {loader.sync_closed_cases(actor=None)} 件")
        else:
            flagged = services.overdue_scan()
            self.stdout.write(f"新发现逾期问题 {len(flagged)} 项：" + "、".join(p.number for p in flagged[:50]))
