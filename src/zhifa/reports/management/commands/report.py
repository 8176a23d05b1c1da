"""``zhifa report annual --year 2024 --unit <org code> --format docx|pdf [--output FILE]``"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.models import Organisation
from zhifa.reports import annual


class Command(BaseCommand):
    help = "生成年度行政执法工作报告（DOCX 或 PDF），数字均取自登记数据。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["annual"], help="报告类型")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", required=True, help="机构代码")
        parser.add_argument("--format", choices=["docx", "pdf", "html"], default="docx")
        parser.add_argument("--output", help="输出文件（默认 annual-report-<unit>-<year>.<format>）")

    def handle(self, *args, **opts):
        unit = Organisation.objects.filter(code=opts["unit"]).first()
        if unit is None:
            raise CommandError(f"机构代码 {opts['unit']} 不存在")
        report = annual.build(unit, opts["year"])
        fmt = opts["format"]
        data = {"docx": annual.render_docx, "pdf": annual.render_pdf}.get(fmt, lambda r: annual.render_html(r, links=False).encode())(report)
        out = Path(opts["output"] or f"annual-report-{unit.code}-{opts['year']}.{fmt}")
        out.write_bytes(data)
        missing = [f.value.metric.label for f in report.figures.values() if not f.value.available]
        self.stdout.write(f"{report.title}：{out}（{len(data)} 字节，{len(report.figures)} 项数据" +
                          (f"，未接入 {len(missing)} 项：{'、'.join(missing)}" if missing else "") + "）")
