"""zhifa restore FILE [--force] — check a backup (signature, paths, hashes), restore it into an empty database (or
replace the content with --force) in one transaction, and verify it; a refused backup changes nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zhifa.core.backup import backup_restore
from zhifa.core.errors import DomainError


class Command(BaseCommand):
    help = "从备份恢复到空数据库，并核对行数、文件哈希与全过程记录链头"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--force", action="store_true", help="empty a non-empty database first")

    def handle(self, *args, path, force, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            manifest = backup_restore(path, force=force)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"恢复完成并已校验：{sum(manifest['counts'].values())} 行，{len(manifest['files'])} 个文件，"
                          f"链头 #{manifest['audit_head']['seq']} {manifest['audit_head']['hash'][:16]}…")
