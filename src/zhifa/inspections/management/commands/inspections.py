"""zhifa inspections verify-draw ID — recompute a draw from its seed and snapshots and compare;
zhifa inspections import-warnings FILE --org CODE — import provincial warnings from a CSV or JSON file."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation
from zhifa.inspections import services
from zhifa.inspections.models import Draw


class Command(BaseCommand):
    help = "双随机抽取复核、省平台预警导入"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-draw", help="复算一次抽取并与记录比对")
        verify.add_argument("draw_id", type=int)
        imp = sub.add_parser("import-warnings", help="从CSV或JSON文件导入省平台预警")
        imp.add_argument("path")
        imp.add_argument("--org", required=True, help="承办机构代码")

    def handle(self, *args, action, **opts):
        if action == "verify-draw":
            d = Draw.objects.select_related("plan").filter(pk=opts["draw_id"]).first()
            if d is None:
                raise CommandError(f"抽取记录 {opts['draw_id']} 不存在")
            ok, findings = services.verify_draw(d)
            self.stdout.write(f"{d}（算法 {d.algorithm}，种子承诺值 {d.seed_sha256}）")
            for line in findings:
                self.stdout.write(f"  · {line}")
            if not ok:
                raise CommandError("复核未通过：抽取结果与记录不一致")
            self.stdout.write(self.style.SUCCESS("复核通过：复算结果与记录完全一致"))
        elif action == "import-warnings":
            org = Organisation.objects.filter(code=opts["org"]).first()
            if org is None:
                raise CommandError(f"机构 {opts['org']} 不存在")
            rows = read_warning_file(Path(opts["path"]).read_bytes(), opts["path"])
            try:
                result = services.warning_import(actor=None, organisation=org, rows=rows, source="file")
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"新增 {result['created']} 条，重复跳过 {result['skipped']} 条，错误 {len(result['errors'])} 条")
            for e in result["errors"]:
                self.stdout.write(f"  · {e}")


def read_warning_file(content: bytes, name: str) -> list[dict]:
    """Rows of a provincial warning export: JSON (a list of objects) or CSV with a header row."""
    text = content.decode("utf-8-sig")
    if name.lower().endswith(".json"):
        data = json.loads(text)
        return data["warnings"] if isinstance(data, dict) else data
    return list(csv.DictReader(text.splitlines()))
