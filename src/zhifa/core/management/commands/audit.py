"""zhifa audit verify | checkpoint | verify-file PATH — check the full-process record (hash chain, key signatures,
signed head checkpoints, business rows), write a signed checkpoint of its head, or check an exported file."""

import sys

from django.core.management.base import BaseCommand

from zhifa.core import audit
from zhifa.core.manifest import verify_manifest


class Command(BaseCommand):
    help = "校验全过程记录哈希链（verify）或导出文件的哈希清单（verify-file）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="walk the event chain, check key signatures, checkpoints and business rows")
        v.add_argument("--no-rows", action="store_true", help="skip comparing business rows with their last event")
        sub.add_parser("checkpoint", help="sign the chain head and write it outside the database")
        vf = sub.add_parser("verify-file", help="check an exported case file (zip or manifest.json)")
        vf.add_argument("path")

    def handle(self, *args, action, **opts):
        if action == "verify":
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("校验中", total=None)
                result = audit.verify(progress=lambda n: progress.update(task, completed=n), rows=not opts["no_rows"])
            self.stdout.write(result.describe())
            if not result.ok:
                sys.exit(1)
        elif action == "checkpoint":
            data = audit.checkpoint_write()
            self.stdout.write(f"已写入链头检查点：#{data['seq']} {data['hash'][:16]}… → {data['path']}")
        else:
            problems = verify_manifest(opts["path"])
            if problems:
                for p in problems:
                    self.stdout.write(f"✗ {p}")
                sys.exit(1)
            self.stdout.write(f"✓ {opts['path']}：所有文件与清单一致")
