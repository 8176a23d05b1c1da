"""``zhifa publicity export --layout penalty --unit <机构代码> [--format csv|xlsx|json] [--output FILE] [--dry-run]`` and
``zhifa publicity reconcile <批次号> --receipt FILE``: the 双公示 export by change and the platform's receipt."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation
from zhifa.portal import credit_export
from zhifa.portal.models import ExportBatch, Publication


class Command(BaseCommand):
    help = "双公示导出（按变化报送：新增、变更、撤回；--dry-run 只预览不改变任何记录）与信用平台回执对账。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="导出自上次以来的变化")
        exp.add_argument("--layout", choices=list(credit_export.LAYOUTS), default="penalty")
        exp.add_argument("--unit", required=True, help="机构代码（含下级单位）")
        exp.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
        exp.add_argument("--output", help="输出文件（默认 shuanggongshi-<类别>-<批次>.<格式>）")
        exp.add_argument("--dry-run", action="store_true", help="预览：列出将报送与校验未通过的记录，不生成批次、不改变报送状态")
        rec = sub.add_parser("reconcile", help="上传信用平台回执并对账")
        rec.add_argument("batch", type=int)
        rec.add_argument("--receipt", required=True, help="回执 JSON：{accepted: [本地编号], rejected: [{本地编号, 原因}]}")

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "export":
                return self._export(opts)
            return self._reconcile(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _export(self, opts):
        unit = Organisation.objects.filter(code=opts["unit"]).first()
        if unit is None:
            raise CommandError(f"机构代码 {opts['unit']} 不存在")
        pubs = Publication.objects.filter(organisation__path__startswith=unit.path)
        result = credit_export.export(actor=None, organisation=unit, publications=pubs, layout=opts["layout"], file_format=opts["format"],
                                      dry_run=opts["dry_run"])
        c = result.counts
        head = "预览（未导出、未改变任何记录）" if result.dry_run else f"批次 #{result.batch.pk}"
        self.stdout.write(f"{head}：报送 {len(result.rows)} 条（新增 {c['new']}、变更 {c['changed']}、撤回 {c['withdrawn']}），"
                          f"校验未通过 {len(result.errors)} 条")
        for e in result.errors:
            self.stdout.write(f"  - {e['decision_number'] or e['publication']}（{e['action']}）：{'；'.join(e['problems'])}")
        if result.dry_run:
            return
        data, _, ext = credit_export.render(result, opts["format"])
        out = Path(opts["output"] or f"shuanggongshi-{opts['layout']}-{result.batch.pk}.{ext}")
        out.write_bytes(data)
        self.stdout.write(f"已写入 {out}（{len(data)} 字节）")

    def _reconcile(self, opts):
        batch = ExportBatch.objects.filter(pk=opts["batch"]).first()
        if batch is None:
            raise CommandError(f"批次 {opts['batch']} 不存在")
        with open(opts["receipt"], "rb") as fh:
            receipt = credit_export.parse_receipt(fh)
        batch = credit_export.reconcile(actor=None, batch=batch, **receipt)
        self.stdout.write(f"批次 #{batch.pk}：报送 {batch.rows} 条，接收 {batch.accepted} 条、退回 {batch.rejected} 条、待回执 {batch.outstanding} 条")
        self.stdout.write(json.dumps({"reconciled": batch.reconciled_at is not None}, ensure_ascii=False))
