"""zhifa calendar add-working-days DATE N | add-days DATE N | status YEAR | day DATE |
import FILE --year YEAR --source 文号 --by USERNAME

``import`` reads the State Council's arrangement of one year from a CSV (UTF-8) or XLSX file with the columns
日期 (YYYY-MM-DD), 类型 (休息/放假/休息日 or 上班/工作日/调休上班) and 名称 (optional), enters it, confirms the year and
recomputes every open deadline (each moved one recorded in the full-process record)."""

import csv
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.core import legal_calendar, xlsx
from zhifa.core.errors import DomainError

REST, WORK = {"休息", "放假", "休息日", "节假日", "rest", "holiday"}, {"上班", "工作日", "调休上班", "work", "workday"}
COLUMNS = {"日期": "date", "date": "date", "类型": "kind", "type": "kind", "kind": "kind", "名称": "name", "name": "name"}


def read_arrangement(path: Path) -> list[tuple[date, bool, str]]:
    """Rows (date, is_working_day, name) of an arrangement file; a bad row is refused with its line number."""
    if path.suffix.lower() == ".xlsx":
        # The shared reader: header found by its labels, blank rows skipped, Excel's own row numbers.
        try:
            sheet, problems = xlsx.read_rows(path, COLUMNS, required=["date", "kind"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if problems:
            raise CommandError("；".join(problems))
        table = [(row.number, row.values) for row in sheet]
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.reader(fh))
        if not lines:
            raise CommandError("文件为空。")
        header = [COLUMNS.get(str(h or "").strip().lower(), "") for h in lines[0]]
        if "date" not in header or "kind" not in header:
            raise CommandError("表头应包括“日期”和“类型”两列（可选“名称”）。")
        table = [(line, dict(zip(header, values, strict=False))) for line, values in enumerate(lines[1:], start=2)
                 if any(v not in (None, "") for v in values)]
    else:
        raise CommandError("放假安排文件应为 .csv 或 .xlsx。")
    rows = []
    for line, cell in table:
        raw, kind = cell.get("date"), str(cell.get("kind") or "").strip()
        try:
            day = raw.date() if isinstance(raw, datetime) else raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
        except ValueError:
            raise CommandError(f"第{line}行：日期“{raw}”格式应为 YYYY-MM-DD。") from None
        if kind not in REST | WORK:
            raise CommandError(f"第{line}行：类型“{kind}”应为“休息”或“上班”。")
        rows.append((day, kind in WORK, str(cell.get("name") or "").strip()))
    return rows


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
        e = sub.add_parser("import")
        e.add_argument("file")
        e.add_argument("--year", type=int, required=True)
        e.add_argument("--source", required=True, help="放假安排依据，如 国办发明电〔2026〕X号")
        e.add_argument("--by", required=True, help="录入的系统管理员用户名")

    def handle(self, *args, action, **opts):
        if action in ("add-working-days", "add-days"):
            fn = legal_calendar.add_working_days if action == "add-working-days" else legal_calendar.add_days
            result = fn(_date(opts["start"]), opts["days"])
            self.stdout.write(result.date.isoformat())
            if not result.confirmed:
                self.stderr.write(f"注意：{'、'.join(map(str, result.unconfirmed_years))} 年放假安排未确认，按法定节假日推算，调休未计（unconfirmed）")
        elif action == "status":
            s = legal_calendar.year_status(opts["year"])
            if s["confirmed"]:
                self.stdout.write(f"{s['year']}: confirmed（已确认；{'chinesecalendar' if s['in_package'] else '管理员录入'}，调整 {s['overrides']} 天）")
            else:
                self.stdout.write(f"{s['year']}: unconfirmed（未确认：按法定节假日推算、调休未计，并标注；chinesecalendar 覆盖 {s['package_years']}）")
        elif action == "import":
            from zhifa.core import services
            from zhifa.core.models import User

            user = User.objects.filter(username=opts["by"]).first()
            if user is None:
                raise CommandError(f"用户 {opts['by']} 不存在。")
            rows = read_arrangement(Path(opts["file"]))
            try:
                result = services.calendar_arrangement_import(actor=user, year=opts["year"], days=rows, source=opts["source"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{result['year']}年放假安排已录入：{result['days']}天，年度已确认；期限变动的在办案件 {result['moved']} 件，已记入全过程记录。")
        else:
            day = _date(opts["date"])
            cal = legal_calendar.Calendar()
            self.stdout.write(f"{day} {'工作日' if cal.is_working_day(day) else '休息日'} {legal_calendar.package_holiday_name(day)}".rstrip())
