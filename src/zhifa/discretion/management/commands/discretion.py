"""zhifa discretion load | import FILE | export CODE -o FILE | editions | items | assess ITEM --facts JSON [--date]"""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.core.errors import DomainError
from zhifa.discretion import loader, services
from zhifa.discretion.models import BenchmarkEdition, ViolationItem


class Command(BaseCommand):
    help = "裁量基准：加载随附数据、导入导出版本、查看事项、试算"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="加载随附的超限规则、法制审核目录和全国默认裁量基准（已加载的跳过）")
        i = sub.add_parser("import", help="导入 .xlsx 或 .yaml 格式的裁量基准版本")
        i.add_argument("file")
        i.add_argument("--user", default="admin", help="执行导入的管理员用户名（记入全过程记录）")
        e = sub.add_parser("export", help="导出一个版本")
        e.add_argument("code")
        e.add_argument("-o", "--output", required=True, help="文件名，以 .xlsx 或 .yaml 结尾")
        sub.add_parser("editions")
        sub.add_parser("items")
        a = sub.add_parser("assess")
        a.add_argument("item")
        a.add_argument("--facts", default="{}", help='JSON，如 {"harm": "minor", "first_violation": true}')
        a.add_argument("--date", dest="on")
        a.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action, **o):
        try:
            getattr(self, "do_" + action)(**o)
        except DomainError as exc:
            for line in exc.details.get("errors", []):
                self.stderr.write(line)
            raise CommandError(exc.message) from None

    def do_load(self, **o):
        for line in services.shipped_data_load():
            self.stdout.write(line)

    def do_import(self, file, user, **o):
        from zhifa.core.models import User

        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户{user}不存在")
        path = Path(file)
        edition = services.edition_import(actor=actor, content=path.read_bytes(), filename=path.name)
        self.stdout.write(f"已导入《{edition.name}》（{edition.code}），{edition.effective_from}起施行，"
                          f"{edition.levels.count()}个阶次、{edition.list_entries.count()}条清单")

    def do_export(self, code, output, **o):
        edition = BenchmarkEdition.objects.filter(code=code).first()
        if edition is None:
            raise CommandError(f"版本{code}不存在")
        data = loader.export_xlsx(edition) if output.endswith(".xlsx") else loader.export_yaml(edition)
        Path(output).write_bytes(data)
        self.stdout.write(f"已导出到 {output}")

    def do_editions(self, **o):
        for ed in BenchmarkEdition.objects.all():
            self.stdout.write(f"{ed.code}\t{ed.effective_from}\t{ed.region}\t{ed.name}\t{ed.get_overload_rounding_display()}")

    def do_items(self, **o):
        for item in ViolationItem.objects.all():
            self.stdout.write(f"{item.code}\t{item.name}\t{item.penalty_basis}")

    def do_assess(self, item, facts, on=None, as_json=False, **o):
        try:
            facts = json.loads(facts)
        except ValueError:
            raise CommandError("--facts 须为JSON") from None
        on = _date(on) if on else timezone.localdate()
        result = services.assess(item_code=item, facts=facts, violation_date=on)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.outcome_label}：{result.amount if result.amount is not None else '—'}元"
                          f"（幅度 {result.minimum}—{result.maximum}；基准 {result.benchmark_version}）")
        self.stdout.write(result.reasoning)
        self.stdout.write("依据：" + "；".join(result.citations))


def _date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None
