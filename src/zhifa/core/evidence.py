"""Content-addressed evidence storage. A file is stored under its SHA-256; storing the same content twice
returns the existing record. Each store is written to the full-process record with the hash."""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction

from . import audit
from .errors import DomainError
from .models import EvidenceFile

# Content sniffing: the declared type must agree with the file's leading bytes (Art. 41: records must be true).
_SIGNATURES = {
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "application/pdf": [b"%PDF-"],
    "video/mp4": [b"ftyp"],  # at offset 4
    "audio/mpeg": [b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"],
    "audio/wav": [b"RIFF"],
}
ALLOWED_TYPES = set(_SIGNATURES) | {"text/plain", "application/json", "text/csv"}


def evidence_root() -> Path:
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def storage() -> Storage:
    """The evidence store: ``EVIDENCE_ROOT`` on disk, or the S3-compatible bucket configured in settings."""
    if settings.STORAGES["evidence"]["BACKEND"].endswith("FileSystemStorage"):
        return FileSystemStorage(location=str(evidence_root()))
    return storages["evidence"]


def storage_name(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def path_for(sha256: str) -> Path:
    """Local path of a stored file (file-system store only; use :func:`evidence_open` to read)."""
    return evidence_root() / storage_name(sha256)


def _sniff_ok(content_type: str, head: bytes) -> bool:
    sigs = _SIGNATURES.get(content_type)
    if sigs is None:
        return b"\x00" not in head[:1024]  # text types: no binary content
    if content_type == "video/mp4":
        return head[4:8] == b"ftyp"
    return any(head.startswith(sig) for sig in sigs)


def evidence_store(*, actor, organisation, fileobj, name: str, content_type: str, subject=None, captured_at=None, meta=None) -> EvidenceFile:
    """Store an evidence file (streamed, hashed while copied) and record it."""
    if content_type not in ALLOWED_TYPES:
        raise DomainError("evidence_type", f"不支持的证据文件类型：{content_type}")
    sha = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.NamedTemporaryFile(delete=False) as tmp:
        for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
            if not head:
                head = chunk[:64]
            size += len(chunk)
            if size > settings.EVIDENCE_MAX_BYTES:
                os.unlink(tmp.name)
                raise DomainError("evidence_too_large", f"证据文件超过大小上限（{settings.EVIDENCE_MAX_BYTES // 1024 // 1024} MB）。")
            sha.update(chunk)
            tmp.write(chunk)
    if not _sniff_ok(content_type, head):
        os.unlink(tmp.name)
        raise DomainError("evidence_content_mismatch", "文件内容与声明的类型不符，已拒绝。")
    digest = sha.hexdigest()
    store = storage()
    try:
        if not store.exists(storage_name(digest)):  # content-addressed: the same content is stored once
            with open(tmp.name, "rb") as fh:
                store.save(storage_name(digest), File(fh))
    finally:
        os.unlink(tmp.name)
    with transaction.atomic():
        # de-duplicated within the organisation only (the row is scoped like every lookup by key)
        ef, created = EvidenceFile.objects.get_or_create(
            sha256=digest, organisation=organisation,
            defaults=dict(size=size, content_type=content_type, original_name=name[:255],
                          uploaded_by=actor if getattr(actor, "pk", None) else None, captured_at=captured_at, capture_meta=meta or {}),
        )
        audit.record(
            actor=actor, action="evidence.store", subject=subject or ef, organisation=organisation,
            summary=f"证据文件 {name}（SHA-256 {digest}）" + ("" if created else "，内容与已存文件相同"),
            changes={"sha256": digest, "size": size, "name": name, "content_type": content_type},
        )
    return ef


def evidence_open(ef: EvidenceFile):
    """Open a stored evidence file for reading (a file object; close it after use)."""
    return storage().open(storage_name(ef.sha256), "rb")


def evidence_read(ef: EvidenceFile) -> bytes:
    with evidence_open(ef) as fh:
        return fh.read()


def evidence_check(ef: EvidenceFile) -> bool:
    """True when the stored file still has the recorded hash."""
    store = storage()
    if not store.exists(storage_name(ef.sha256)):
        return False
    h = hashlib.sha256()
    with store.open(storage_name(ef.sha256), "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest() == ef.sha256
