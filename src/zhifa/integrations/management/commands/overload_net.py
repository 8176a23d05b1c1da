"""``zhifa overload_net download --user NAME (--plate P [--colour C] | --driver QUAL | --company CODE)``:
pull the 四级联网's overload violations of one vehicle, driver or company into the user's
jurisdiction (the service of ``POST /api/v1/integrations/overload-net/download``);
``zhifa overload_net daily [--day YYYY-MM-DD]``: the scheduled download of the vehicles and
drivers caught that day (default yesterday), as the Celery beat entry runs it. See
docs/integrations/overload-net.md."""

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.errors import DomainError, NotPermitted


class Command(BaseCommand):
    help = "四级联网：download（下载车辆、驾驶员或运输企业在其他单位的超限记录，计入一超四罚）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        down = sub.add_parser("download", help="下载一辆车、一名驾驶员或一家运输企业的超限记录")
        down.add_argument("--user", required=True, help="以该账号的身份和辖区下载")
        down.add_argument("--plate")
        down.add_argument("--colour", default="yellow", help="号牌颜色代码（默认 yellow）")
        down.add_argument("--driver", help="驾驶员从业资格证号")
        down.add_argument("--company", help="运输企业统一社会信用代码")
        daily = sub.add_parser("daily", help="下载某日查获超限的车辆和驾驶员在其他单位的记录"
                                             "（默认昨日，定时任务同此）")
        daily.add_argument("--day", help="YYYY-MM-DD")

    def handle(self, *args, **opts):
        from zhifa.core.identifiers import plate_display_form
        from zhifa.core.models import Driver, TransportCompany, User, Vehicle
        from zhifa.core.selectors import scope
        from zhifa.integrations import overload_net

        if opts["action"] == "daily":
            from datetime import date

            r = overload_net.download_daily(day=date.fromisoformat(opts["day"]) if opts["day"] else None)
            stopped = "（连续失败，已停止）" if r["stopped"] else ""
            self.stdout.write(f"{r['day']}：{r['subjects']} 个车辆和驾驶员，已下载 {r['downloaded']}，"
                              f"失败 {r['failed']}{stopped}；新增 {r['created']}，合并 {r['merged']}")
            return
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError("没有这个账号。")
        if opts["plate"]:
            qs, kind = scope(Vehicle.objects.filter(plate=plate_display_form(opts["plate"]),
                                                    plate_colour=opts["colour"]), user), "vehicle"
        elif opts["driver"]:
            qs, kind = scope(Driver.objects.filter(qualification_number=opts["driver"]), user), "driver"
        elif opts["company"]:
            qs, kind = scope(TransportCompany.objects.filter(credit_code=opts["company"]), user), "company"
        else:
            raise CommandError("请指定 --plate、--driver 或 --company 之一。")
        subject = qs.first()
        if subject is None:  # another unit's subject is not found (lookups are scoped like reads)
            raise CommandError("在该账号的辖区内没有找到。")
        try:
            counts = overload_net.download(actor=user, **{kind: subject})
        except (DomainError, NotPermitted) as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"收到 {counts['received']} 条：新增 {counts['created']}，"
                          f"更新 {counts['updated']}，未变 {counts['unchanged']}，"
                          f"与同一违法行为合并 {counts['merged']}，本系统单位的记录 {counts['own']}，"
                          f"拒收 {counts['rejected']}")
        for line in counts["errors"]:
            self.stdout.write(line)
