"""zhifa audit verify | verify-file PATH — check the full-process record's hash chain, or an exported file."""

import sys

from django.core.management.base import BaseCommand

from zhifa.core import audit
from zhifa.core.manifest import verify_manifest


class Command(BaseCommand):
    help = "校验全过程记录哈希链（verify）或导出文件的哈希清单（verify-file）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the event chain and report the first broken link")
        vf = sub.add_parser("verify-file", help="check an exported case file (zip or manifest.json)")
        vf.add_argument("path")

    def handle(self, *args, action, **opts):
        if action == "verify":
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("校验中", total=None)
                result = audit.verify(progress=lambda n: progress.update(task, completed=n))
            self.stdout.write(result.describe())
            if not result.ok:
                sys.exit(1)
        else:
            problems = verify_manifest(opts["path"])
            if problems:
                for p in problems:
                    self.stdout.write(f"✗ {p}")
                sys.exit(1)
            self.stdout.write(f"✓ {opts['path']}：所有文件与清单一致")
