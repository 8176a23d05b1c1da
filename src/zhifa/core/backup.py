"""Backup and restore of the whole platform: database rows (portable JSON, so a SQLite backup restores into
PostgreSQL and back), evidence files and other data files under the var directory, with a manifest of
hashes, row counts and the audit chain head. A restore goes into an empty database only and is verified
against the manifest before it is accepted."""

import hashlib
import io
import json
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from . import audit
from .db import set_event_triggers
from .errors import DomainError
from .models import AuditHead, Organisation

EXCLUDED_MODELS = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
DATA_DIRS = ["evidence", "wim", "wim-media", "exports", "documents"]  # sub-directories of VAR_DIR that hold data


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy
            and m._meta.app_label not in ("contenttypes", "sessions", "admin") and m._meta.label_lower != "auth.permission"}


def _data_roots() -> dict[str, Path]:
    roots = {name: Path(settings.VAR_DIR) / name for name in DATA_DIRS}
    roots["evidence"] = Path(settings.EVIDENCE_ROOT)
    return roots


def backup_create(output: Path, *, progress=None) -> dict:
    """Write a .tar.gz backup and return its manifest."""
    output = Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "data.json"
        with transaction.atomic():  # one consistent snapshot of every table
            call_command("dumpdata", "--natural-foreign", "--natural-primary", *[f"--exclude={e}" for e in EXCLUDED_MODELS],
                         output=str(dump), verbosity=0)
            head = AuditHead.objects.filter(pk=1).first()
            counts = _counts()
        files = []
        with tarfile.open(output, "w:gz") as tar:
            tar.add(dump, arcname="data.json")
            for name, root in _data_roots().items():
                if not root.exists():
                    continue
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    rel = f"files/{name}/{path.relative_to(root).as_posix()}"
                    files.append({"name": rel, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "size": path.stat().st_size})
                    tar.add(path, arcname=rel)
                    if progress:
                        progress(len(files))
            manifest = {
                "format": "zhifa-backup/1",
                "created_at": datetime.now(UTC).isoformat(),
                "database_vendor": connection.vendor,
                "data_sha256": hashlib.sha256(dump.read_bytes()).hexdigest(),
                "counts": counts,
                "audit_head": {"seq": head.seq if head else 0, "hash": head.hash if head else audit.GENESIS},
                "files": files,
            }
            raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return manifest


def backup_restore(source: Path, *, force: bool = False) -> dict:
    """Restore a backup into an empty (migrated) database; verify rows, files and the audit chain."""
    source = Path(source)
    if Organisation.objects.exists() and not force:
        raise DomainError("database_not_empty", "目标数据库不是空库：恢复只能在空库中进行（或使用 --force 先清空）。")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        base = Path(tmp)
        manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != "zhifa-backup/1":
            raise DomainError("backup_format", "不是 zhifa 备份文件或版本不受支持。")
        dump = base / "data.json"
        if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest["data_sha256"]:
            raise DomainError("backup_corrupt", "备份数据文件的 SHA-256 与清单不符，拒绝恢复。")
        for entry in manifest["files"]:
            if hashlib.sha256((base / entry["name"]).read_bytes()).hexdigest() != entry["sha256"]:
                raise DomainError("backup_corrupt", f"备份中的文件 {entry['name']} 已损坏，拒绝恢复。")
        # Flushing is the one maintenance act allowed to delete events: lift the append-only trigger for it.
        set_event_triggers(False)
        try:
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(dump), verbosity=0)
        finally:
            set_event_triggers(True)
        roots = _data_roots()
        for entry in manifest["files"]:
            _, name, rel = entry["name"].split("/", 2)
            target = roots[name] / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((base / entry["name"]).read_bytes())
    problems = []
    counts = _counts()
    for label, expected in manifest["counts"].items():
        if counts.get(label, 0) != expected:
            problems.append(f"{label}: 应为 {expected} 行，恢复后 {counts.get(label, 0)} 行")
    result = audit.verify()
    if not result.ok:
        problems.append(result.describe())
    elif (result.head_seq, result.head_hash) != (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"]):
        problems.append("全过程记录链头与备份不一致")
    if problems:
        raise DomainError("restore_mismatch", "恢复后校验失败：" + "；".join(problems))
    return manifest
