"""``zhifa wim …``: weigh-in-motion records and off-site overload enforcement from the command line.

    zhifa wim ingest FILE [--chunk N] [--no-cases] [--partitions N]
                                                     CSV / JSON lines / Parquet, streaming, idempotent; with
                                                     --partitions as N Celery tasks (eager unless a broker is set)
    zhifa wim cases                                  open cases for the whole backlog of detected violations
                                                     (ingest opens cases only for the violations it detected)
    zhifa wim four [--on DATE]                       一超四罚 scan (Art. 66/68)
    zhifa wim export ORG_CODE [--after ID] [--format jsonl|csv] [--schema]
    zhifa wim import FILE                            four-level exchange import (idempotent)
    zhifa wim gc                                     remove part files of interrupted runs
"""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhifa.core.errors import DomainError
from zhifa.core.models import Organisation


class Command(BaseCommand):
    help = "称重检测数据导入、非现场执法立案、一超四罚与四级联网交换"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("ingest", help="导入称重数据文件")
        p.add_argument("file")
        p.add_argument("--chunk", type=int, default=500_000)
        p.add_argument("--no-cases", action="store_true", help="只导入和筛查，不生成案件")
        p.add_argument("--partitions", type=int, default=0, help="按站点分成 N 个任务并行导入（Celery）")
        sub.add_parser("cases", help="为全部积压的待立案超限违法行为生成案件")
        p = sub.add_parser("four", help="一超四罚扫描")
        p.add_argument("--on", type=date.fromisoformat)
        p = sub.add_parser("export", help="四级联网导出")
        p.add_argument("org")
        p.add_argument("--after", type=int, default=0)
        p.add_argument("--limit", type=int, default=10_000)
        p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        p.add_argument("--schema", action="store_true", help="输出 JSON Schema")
        p = sub.add_parser("import", help="四级联网导入")
        p.add_argument("file")
        sub.add_parser("gc", help="清理中断导入留下的孤立分区文件")

    def handle(self, *args, action, **opts):
        console = Console(stderr=True)
        try:
            getattr(self, f"do_{action}")(console, **opts)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def do_ingest(self, console, *, file, chunk, no_cases, partitions=0, **_):
        from zhifa.overload import ingest, tasks

        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        if partitions:
            if partitions < 1:
                raise CommandError("--partitions 应为正整数")
            with console.status(f"分 {partitions} 个任务导入 {path.name} …"):
                summary = tasks.dispatch_ingest(path, partitions=partitions, chunk_rows=chunk, open_cases=not no_cases).get()
            self._print_summary(console, f"导入结果：{path.name}（批次 {', '.join(map(str, summary['batches']))}）", summary)
            if not no_cases:
                console.print(f"生成案件：{summary['cases']:,} 件")
            return
        size = path.stat().st_size
        with Progress(TextColumn("[bold]导入 {task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("条"),
                      TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(path.name, total=None)

            def on_chunk(progress, rows):
                bar.update(task, completed=progress.read, description=f"{path.name}（{size / 2**20:.1f} MiB）")

            batch = ingest.ingest_file(path, chunk_rows=chunk, on_chunk=on_chunk)
        self._print_summary(console, f"导入结果：{batch.name}（批次 {batch.pk}）", tasks.batch_summary(batch))
        if not no_cases:
            from zhifa.overload.services import violations_open_cases

            console.print(f"为本批新增违法行为生成案件：{violations_open_cases(batch_ids=ingest.same_file_batches([batch.pk])):,} 件（积压的待立案违法行为用 zhifa wim cases）")

    def _print_summary(self, console, title, summary):
        table = Table(title=title)
        table.add_column("项目")
        table.add_column("数量", justify="right")
        for label, key in (("读取", "read"), ("接收", "accepted"), ("拒收", "rejected"), ("重复（已存在）", "duplicates"),
                           ("无效读数/设备问题（保留并标记）", "flagged"), ("新增超限违法行为", "violations"),
                           ("合并到已有违法行为的过车", "passes_merged")):
            table.add_row(label, f"{summary[key]:,}")
        console.print(table)
        console.print("[green]对账一致：读取 = 接收 + 拒收 + 重复" if summary["reconciles"] else "[red]对账不一致")
        for report in summary["reports"]:
            console.print(f"拒收明细：{report}")

    def do_cases(self, console, **_):
        from zhifa.overload.services import violations_open_cases

        console.print(f"生成案件：{violations_open_cases():,} 件")

    def do_four(self, console, *, on=None, **_):
        from zhifa.overload.services import four_penalty_scan

        triggers = four_penalty_scan(on=on)
        console.print(f"一超四罚新触发：{len(triggers)} 项")
        for t in triggers:
            console.print(f"  {t.get_kind_display()} {t.party.name}：{t.count} 次 → {t.follow_up}（抄告期限 {t.notice_due_on}）")

    def do_export(self, console, *, org, after, limit, format, schema, **_):
        from zhifa.overload import exchange

        if schema:
            self.stdout.write(json.dumps(exchange.SCHEMA, ensure_ascii=False, indent=2))
            return
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"机构代码不存在：{org}")
        rows, cursor = exchange.rows_after(organisation=organisation, after=after, limit=limit)
        self.stdout.write(exchange.to_jsonl(rows) if format == "jsonl" else exchange.to_csv(rows), ending="")
        console.print(f"导出 {len(rows)} 条；下次从 --after {cursor if cursor is not None else after} 继续")

    def do_import(self, console, *, file, **_):
        from zhifa.overload import exchange
        from zhifa.overload.services import exchange_import

        path = Path(file)
        fmt = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        counts = exchange_import(rows=exchange.parse(path.read_text(encoding="utf-8-sig"), fmt))
        console.print(f"新增 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}，"
                      f"合并为同一违法行为 {counts['merged']}，拒收 {counts['rejected']}")
        for error in counts["errors"][:20]:
            console.print(f"  {error}")

    def do_gc(self, console, **_):
        from zhifa.overload import wim_store

        files = wim_store.orphan_files()
        for path in files:
            path.unlink()
        console.print(f"已清理孤立分区文件 {len(files)} 个")
