"""Backup and restore of the whole platform: database rows (portable JSON, so a SQLite backup restores into
PostgreSQL and back), evidence files and other data files under the var directory, with a manifest of
hashes, row counts and the audit chain head.

A backup is authenticated: its manifest carries an HMAC under a key derived from the record's key
(settings.AUDIT_HMAC_KEY, not in the database), so a backup edited by its holder — a fine amount changed and
every plain checksum recomputed — is refused. With settings.BACKUP_ENCRYPTION_KEY it is encrypted at rest
(AES-256-GCM in 1 MiB chunks, each bound to its position, the last one marked, so reordering and truncation
are refused too). A restore checks everything before it writes anything: the signature, every path (only
regular files under the known data directories, no ``..``, no absolute path, no link), every hash; it then
replaces the database in ONE transaction that is rolled back if the rows, the record or its head do not match,
and writes the files only once the database has been verified."""

import hashlib
import io
import json
import os
import struct
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from . import audit
from .db import fire_head_trigger, set_event_triggers
from .errors import DomainError
from .models import Organisation

FORMAT = "zhifa-backup/2"
EXCLUDED_MODELS = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
DATA_DIRS = ["evidence", "wim", "wim-media", "exports", "documents"]  # sub-directories of VAR_DIR that hold data
MAGIC = b"ZHIFA-BACKUP-AESGCM/1\n"
CHUNK = 1 << 20


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy
            and m._meta.app_label not in ("contenttypes", "sessions", "admin") and m._meta.label_lower != "auth.permission"}


def _data_roots() -> dict[str, Path]:
    roots = {name: Path(settings.VAR_DIR) / name for name in DATA_DIRS}
    roots["evidence"] = Path(settings.EVIDENCE_ROOT)
    return roots


def _manifest_message(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- Encryption at rest ---------------------------------------------------------------------------------------------

def _encryption_key() -> bytes | None:
    secret = settings.BACKUP_ENCRYPTION_KEY
    return hashlib.sha256(f"zhifa-backup-encryption/1:{secret}".encode()).digest() if secret else None


def _encrypt_file(source: Path, target: Path, key: bytes) -> None:
    """[MAGIC | 8-byte nonce prefix] then records [flag | length | ciphertext]; the nonce is the prefix and the
    record number, the associated data the header, the record number and the flag (1 = last record)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead, prefix = AESGCM(key), os.urandom(8)
    header = MAGIC + prefix
    with open(source, "rb") as src, open(target, "wb") as out:
        out.write(header)
        index, chunk = 0, src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            flag = b"\x00" if following else b"\x01"
            sealed = aead.encrypt(prefix + struct.pack(">I", index), chunk, header + struct.pack(">Q", index) + flag)
            out.write(flag + struct.pack(">I", len(sealed)) + sealed)
            if not following:
                break
            index, chunk = index + 1, following


def _decrypt_file(source: Path, target: Path, key: bytes) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    with open(source, "rb") as src, open(target, "wb") as out:
        header = src.read(len(MAGIC) + 8)
        prefix, index = header[len(MAGIC):], 0
        while True:
            head = src.read(5)
            if len(head) < 5:
                raise DomainError("backup_corrupt", "加密备份不完整（被截断），拒绝恢复。")
            flag, size = head[:1], struct.unpack(">I", head[1:])[0]
            sealed = src.read(size)
            if len(sealed) < size:
                raise DomainError("backup_corrupt", "加密备份不完整（被截断），拒绝恢复。")
            try:
                out.write(aead.decrypt(prefix + struct.pack(">I", index), sealed, header + struct.pack(">Q", index) + flag))
            except InvalidTag:
                raise DomainError("backup_unauthenticated", "加密备份无法用配置的密钥解密或已被改动，拒绝恢复。") from None
            if flag == b"\x01":
                if src.read(1):
                    raise DomainError("backup_corrupt", "加密备份在结尾之后还有数据，拒绝恢复。")
                return
            index += 1


# --- Backup ---------------------------------------------------------------------------------------------------------

def _add_snapshot(tar: tarfile.TarFile, path: Path, arcname: str, tmp: Path) -> dict | None:
    """Add one data file as read once: its copy, digest and size come from the same bytes. A file another
    process rewrites meanwhile (a WIM file being written, a paper being stored) was hashed, then archived as
    it was a moment later: the manifest named a digest the archive did not hold, or ``tarfile`` stopped with
    "unexpected end of data" when the file shrank. Returns the manifest entry, or None if the file is gone."""
    digest = hashlib.sha256()
    try:
        src = path.open("rb")
    except FileNotFoundError:
        return None
    with src, tempfile.TemporaryFile(dir=tmp) as snapshot:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            snapshot.write(chunk)
        info = tar.gettarinfo(fileobj=src, arcname=arcname)
        info.size = snapshot.tell()
        snapshot.seek(0)
        tar.addfile(info, snapshot)
    return {"name": arcname, "sha256": digest.hexdigest(), "size": info.size}


def backup_create(output: Path, *, progress=None) -> dict:
    """Write a signed .tar.gz backup (encrypted when BACKUP_ENCRYPTION_KEY is set) and return its manifest."""
    output = Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "data.json"
        with transaction.atomic():  # one consistent snapshot of every table
            fire_head_trigger()  # the head row as dumped is current with this transaction's own events too
            call_command("dumpdata", "--natural-foreign", *[f"--exclude={e}" for e in EXCLUDED_MODELS],
                         output=str(dump), verbosity=0)
            head_seq, head_hash = audit.head()
            counts = _counts()
        key = _encryption_key()
        plain = Path(tmp) / "backup.tar.gz" if key else output
        files = []
        with tarfile.open(plain, "w:gz") as tar:
            tar.add(dump, arcname="data.json")
            for name, root in _data_roots().items():
                if not root.exists():
                    continue
                for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                    rel = f"files/{name}/{path.relative_to(root).as_posix()}"
                    entry = _add_snapshot(tar, path, rel, Path(tmp))
                    if entry is None:
                        continue  # removed since it was listed: not part of the backup
                    files.append(entry)
                    if progress:
                        progress(len(files))
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "database_vendor": connection.vendor,
                "data_sha256": hashlib.sha256(dump.read_bytes()).hexdigest(),
                "counts": counts,
                "audit_head": {"seq": head_seq, "hash": head_hash},
                "files": files,
                "encrypted": bool(key),
            }
            kid, mac = audit.sign("backup", _manifest_message(manifest))
            manifest["signature"] = {"key_id": kid, "mac": mac}
            raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
        if key:
            _encrypt_file(plain, output, key)
    return manifest


# --- Restore --------------------------------------------------------------------------------------------------------

def _safe_data_path(name: str) -> tuple[str, str]:
    """(data directory, relative path) of a manifest entry, or refuse: only ``files/<known dir>/<plain path>``."""
    refuse = DomainError("backup_unsafe_path", f"备份清单中的路径 {name!r} 不安全（越出数据目录、绝对路径或未知目录），拒绝恢复。")
    if not isinstance(name, str) or "\\" in name or "\x00" in name or name.startswith("/"):
        raise refuse
    parts = PurePosixPath(name).parts
    if (len(parts) < 3 or parts[0] != "files" or parts[1] not in DATA_DIRS
            or any(p in ("", ".", "..") for p in name.split("/"))):
        raise refuse
    return parts[1], "/".join(parts[2:])


def _read_archive(source: Path, base: Path) -> dict:
    """Check and unpack the archive into ``base``: signature first, then paths and member kinds, then hashes.
    Raises DomainError (nothing outside ``base`` has been written)."""
    with open(source, "rb") as fh:
        encrypted = fh.read(len(MAGIC)) == MAGIC
    if encrypted:
        key = _encryption_key()
        if key is None:
            raise DomainError("backup_encrypted", "备份已加密：请配置 BACKUP_ENCRYPTION_KEY 后再恢复。")
        plain = base / "backup.tar.gz"
        _decrypt_file(source, plain, key)
        source = plain
    try:
        tar = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DomainError("backup_corrupt", f"备份文件无法读取：{exc}") from None
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DomainError("backup_corrupt", f"备份文件不完整：{exc}") from None
        by_name = {}
        for member in members:
            if not member.isfile():  # a link, a device or a directory entry is never part of a backup
                raise DomainError("backup_unsafe_path", f"备份中的 {member.name!r} 不是普通文件（链接等），拒绝恢复。")
            if member.name in by_name:
                raise DomainError("backup_corrupt", f"备份中 {member.name!r} 出现两次，拒绝恢复。")
            by_name[member.name] = member
        if "manifest.json" not in by_name or "data.json" not in by_name:
            raise DomainError("backup_format", "不是 zhifa 备份文件或版本不受支持。")
        try:
            manifest = json.loads(tar.extractfile(by_name["manifest.json"]).read().decode("utf-8"))
        except ValueError:
            raise DomainError("backup_format", "备份清单无法读取。") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise DomainError("backup_format", "不是 zhifa 备份文件或版本不受支持。")
        signature = manifest.get("signature") or {}
        if not audit.check_signature("backup", _manifest_message(manifest), signature.get("key_id", ""), signature.get("mac", "")):
            raise DomainError("backup_unauthenticated", "备份清单的签名无效：备份被改动，或不是用本平台的密钥制作的，拒绝恢复。")
        listed = {"manifest.json", "data.json"}
        for entry in manifest["files"]:
            _safe_data_path(entry["name"])
            listed.add(entry["name"])
        for name in by_name:
            if name not in listed:
                raise DomainError("backup_unsafe_path", f"备份中的 {name!r} 不在清单中，拒绝恢复。")
        expected = {"data.json": manifest["data_sha256"], **{e["name"]: e["sha256"] for e in manifest["files"]}}
        for name, digest in expected.items():
            if name not in by_name:
                raise DomainError("backup_corrupt", f"备份中缺少文件 {name}，拒绝恢复。")
            target = base / "content" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256()
            with tar.extractfile(by_name[name]) as src, open(target, "wb") as out:
                for chunk in iter(lambda: src.read(CHUNK), b""):  # noqa: B023 - consumed within the loop body
                    sha.update(chunk)
                    out.write(chunk)
            if sha.hexdigest() != digest:
                what = "备份数据文件的 SHA-256 与清单不符" if name == "data.json" else f"备份中的文件 {name} 已损坏"
                raise DomainError("backup_corrupt", f"{what}，拒绝恢复。")
    return manifest


def _place_files(manifest: dict, base: Path) -> None:
    """Copy the verified files into the data directories; each target must resolve inside its directory."""
    roots = _data_roots()
    for entry in manifest["files"]:
        name, rel = _safe_data_path(entry["name"])
        root = roots[name].resolve()
        target = roots[name] / rel
        if not target.parent.resolve().is_relative_to(root) or target.is_symlink():
            raise DomainError("backup_unsafe_path", f"备份中的文件 {entry['name']} 会写到数据目录之外，拒绝恢复。")
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.restoring")
        staged.write_bytes((base / "content" / entry["name"]).read_bytes())
        os.replace(staged, target)


def backup_restore(source: Path, *, force: bool = False) -> dict:
    """Restore a backup into an empty (migrated) database — or, with ``force``, replace a database's content.
    Everything is checked first; the database is replaced in one transaction that is rolled back when the
    restored rows, the full-process record or its head do not match the signed manifest: a refused backup
    leaves the database and the data directories as they were."""
    source = Path(source)
    if Organisation.objects.exists() and not force:
        raise DomainError("database_not_empty", "目标数据库不是空库：恢复只能在空库中进行（或使用 --force 先清空）。")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        manifest = _read_archive(source, base)
        with transaction.atomic():
            # Emptying is the one maintenance act allowed to delete events: lift the append-only trigger for it
            # (owner role only), inside this transaction, so a refusal restores the trigger with the rows.
            set_event_triggers(False)
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(base / "content" / "data.json"), verbosity=0)
            set_event_triggers(True)
            problems = []
            counts = _counts()
            for label, expected in manifest["counts"].items():
                if counts.get(label, 0) != expected:
                    problems.append(f"{label}: 应为 {expected} 行，恢复后 {counts.get(label, 0)} 行")
            result = audit.verify(checkpoints=False)
            if not result.ok:
                problems.append(result.describe())
            elif (result.head_seq, result.head_hash) != (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"]):
                problems.append("全过程记录链头与备份不一致")
            if problems:
                raise DomainError("restore_mismatch", "恢复后校验失败，数据库未作任何改动：" + "；".join(problems))
            _place_files(manifest, base)
    return manifest
