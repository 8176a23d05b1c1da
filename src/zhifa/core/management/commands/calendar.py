"""zhifa calendar add-working-days DATE N | add-days DATE N | status YEAR | day DATE"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhifa.core import legal_calendar


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "法定工作日历：工作日推算与年度确认状态"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser("add-working-days")
        a.add_argument("start")
        a.add_argument("days", type=int)
        b = sub.add_parser("add-days")
        b.add_argument("start")
        b.add_argument("days", type=int)
        c = sub.add_parser("status")
        c.add_argument("year", type=int)
        d = sub.add_parser("day")
        d.add_argument("date")

    def handle(self, *args, action, **opts):
        if action in ("add-working-days", "add-days"):
            fn = legal_calendar.add_working_days if action == "add-working-days" else legal_calendar.add_days
            result = fn(_date(opts["start"]), opts["days"])
            self.stdout.write(result.date.isoformat())
            if not result.confirmed:
                self.stderr.write(f"注意：{'、'.join(map(str, result.unconfirmed_years))} 年放假安排未确认，按周末推算（unconfirmed）")
        elif action == "status":
            s = legal_calendar.year_status(opts["year"])
            if s["confirmed"]:
                self.stdout.write(f"{s['year']}: confirmed（已确认；{'chinesecalendar' if s['in_package'] else '管理员录入'}，调整 {s['overrides']} 天）")
            else:
                self.stdout.write(f"{s['year']}: unconfirmed（未确认：按周末推算并标注；chinesecalendar 覆盖 {s['package_years']}）")
        else:
            day = _date(opts["date"])
            cal = legal_calendar.Calendar()
            self.stdout.write(f"{day} {'工作日' if cal.is_working_day(day) else '休息日'} {legal_calendar.package_holiday_name(day)}".rstrip())
