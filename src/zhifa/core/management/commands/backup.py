"""zhifa backup [--output FILE] — database rows, evidence and data files, a signed manifest with hashes and counts;
encrypted at rest when BACKUP_ENCRYPTION_KEY is set."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from zhifa.core.backup import backup_create


class Command(BaseCommand):
    help = "备份数据库与证据文件（SQLite 与 PostgreSQL 通用格式）"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default=None, help="backup file (.tar.gz); default var/backups/zhifa-<time>.tar.gz")

    def handle(self, *args, output, **opts):
        suffix = ".tar.gz.enc" if settings.BACKUP_ENCRYPTION_KEY else ".tar.gz"
        path = Path(output) if output else Path(settings.VAR_DIR) / "backups" / f"zhifa-{datetime.now():%Y%m%d-%H%M%S}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = backup_create(path)
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"备份完成：{path}（{rows} 行，{len(manifest['files'])} 个文件，全过程记录链头 #{manifest['audit_head']['seq']}，"
                          f"已签名{'、已加密' if manifest['encrypted'] else ''}）")
        if not manifest["encrypted"]:
            self.stdout.write("注意：备份未加密（含个人信息）。配置 BACKUP_ENCRYPTION_KEY 后备份将以 AES-256-GCM 加密保存。")
