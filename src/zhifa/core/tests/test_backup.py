"""Backup and restore round trip: restore into an empty database; counts, files and the audit chain head match."""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command

from zhifa.core import audit
from zhifa.core.backup import backup_create, backup_restore
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.models import AuditHead, Event, EvidenceFile, Party, Vehicle
from zhifa.core.tests.factories import VehicleFactory


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    """The backed-up data directories (``VAR_DIR``/wim, exports …) of this test only: the checkout's ``var/``
    is shared with other test processes (the other database's run writes the demo's WIM files there), and a
    backup of it read files while they were written."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_database(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    from zhifa.core import services

    services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind="person", name="张三", id_number="11010519491231002X")
    VehicleFactory.create_batch(3, organisation=world.brigade_a)
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
    evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(png), name="p.png", content_type="image/png")
    head_before = AuditHead.objects.get()
    counts_before = {m: m.objects.count() for m in (Party, Vehicle, Event, EvidenceFile)}
    archive = tmp_path / "b.tar.gz"
    manifest = backup_create(archive)
    assert manifest["audit_head"]["seq"] == head_before.seq

    # Empty the database and the evidence store, as on a new machine.
    from zhifa.core.db import set_event_triggers

    set_event_triggers(False)
    call_command("flush", interactive=False, verbosity=0)
    set_event_triggers(True)
    for f in (tmp_path / "evidence").rglob("*"):
        if f.is_file():
            f.unlink()
    assert Party.objects.count() == 0

    backup_restore(archive)
    assert {m: m.objects.count() for m in counts_before} == counts_before
    head_after = AuditHead.objects.get()
    assert (head_after.seq, head_after.hash) == (head_before.seq, head_before.hash)
    assert audit.verify().ok
    ef = EvidenceFile.objects.get()
    assert (tmp_path / "evidence" / ef.relative_path).read_bytes() == png


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_and_a_corrupt_archive(world, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup_create(archive)
    with pytest.raises(DomainError) as exc:
        backup_restore(archive)
    assert exc.value.code == "database_not_empty"
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(Exception):  # noqa: B017 - truncated gzip
        backup_restore(broken, force=True)
    assert world.city.__class__.objects.filter(pk=world.city.pk).exists()


# --- Authenticated, path-checked, atomic restore (issue 17 item 4) ---------------------------------------------------

def _unpack(archive):
    import tarfile

    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def _repack(path, members, *, resign=False, links=()):
    """Write an archive from {name: bytes}; ``resign``: sign the manifest with the platform key (a holder who has
    the key — or a bug — so the later checks are reached); otherwise the manifest keeps whatever it says."""
    import json
    import tarfile

    from zhifa.core.backup import _manifest_message

    if resign:
        manifest = json.loads(members["manifest.json"])
        kid, mac = audit.sign("backup", _manifest_message(manifest))
        manifest["signature"] = {"key_id": kid, "mac": mac}
        members = {**members, "manifest.json": json.dumps(manifest).encode()}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return path


def _state():
    return (list(Party.objects.order_by("pk").values_list("pk", "name")), Event.objects.count(),
            AuditHead.objects.values_list("seq", "hash").first())


@pytest.fixture
def backed_up(world, settings, tmp_path):
    """A party and an evidence file, backed up; then the database moves on (one more party)."""
    from zhifa.core import services

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind="person", name="张三", id_number="11010519491231002X")
    evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(b"%PDF-1.4 x"), name="a.pdf",
                   content_type="application/pdf")
    archive = backup_create(tmp_path / "b.tar.gz") and tmp_path / "b.tar.gz"
    from zhifa.core.tests.test_audit import _code

    services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind="organisation", name="李四运输公司",
                          credit_code=_code(7))
    return archive


@pytest.mark.django_db(transaction=True)
def test_tampered_backup_with_recomputed_checksum_is_refused_and_nothing_is_written(backed_up, tmp_path):
    import hashlib
    import json

    members = _unpack(backed_up)
    data = members["data.json"].replace("张三".encode(), "王五".encode())
    manifest = json.loads(members["manifest.json"])
    manifest["data_sha256"] = hashlib.sha256(data).hexdigest()  # every plain checksum recomputed
    forged = _repack(tmp_path / "forged.tar.gz", {**members, "data.json": data, "manifest.json": json.dumps(manifest).encode()})
    before = _state()
    with pytest.raises(DomainError) as exc:
        backup_restore(forged, force=True)
    assert exc.value.code == "backup_unauthenticated" and "签名无效" in exc.value.message
    assert _state() == before
    with pytest.raises(Exception) as cmd:  # noqa: PT011 - CommandError carries the Chinese message
        call_command("restore", str(forged), "--force")
    assert "签名无效" in str(cmd.value)
    assert _state() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["files/evidence/../../X", "/tmp/zhifa-restore-X", "files/unknown/X", "files/evidence/./X"])
def test_manifest_path_escaping_the_data_directory_is_refused(backed_up, tmp_path, settings, name):
    import hashlib
    import json

    members = _unpack(backed_up)
    payload = b"written outside"
    manifest = json.loads(members["manifest.json"])
    manifest["files"].append({"name": name, "sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)})
    forged = _repack(tmp_path / "escape.tar.gz", {**members, name: payload, "manifest.json": json.dumps(manifest).encode()},
                     resign=True)
    before = _state()
    with pytest.raises(DomainError) as exc:
        backup_restore(forged, force=True)
    assert exc.value.code == "backup_unsafe_path"
    assert _state() == before
    assert not (tmp_path / "X").exists() and not (tmp_path.parent / "X").exists()
    assert not (Path(settings.EVIDENCE_ROOT).parent.parent / "X").exists()


@pytest.mark.django_db(transaction=True)
def test_symlink_member_is_refused(backed_up, tmp_path):
    members = _unpack(backed_up)
    forged = _repack(tmp_path / "link.tar.gz", members, resign=True, links=[("files/evidence/ab/link", "/etc/passwd")])
    before = _state()
    with pytest.raises(DomainError) as exc:
        backup_restore(forged, force=True)
    assert exc.value.code == "backup_unsafe_path" and "不是普通文件" in exc.value.message
    assert _state() == before


@pytest.mark.django_db(transaction=True)
def test_backup_refused_after_loading_leaves_the_database_as_it_was(backed_up, tmp_path):
    """The restore is one transaction: rows loaded and then found not to match are rolled back (before, a
    rejected backup stayed in the database)."""
    import json

    members = _unpack(backed_up)
    manifest = json.loads(members["manifest.json"])
    manifest["counts"]["core.party"] += 1
    forged = _repack(tmp_path / "counts.tar.gz", {**members, "manifest.json": json.dumps(manifest).encode()}, resign=True)
    before = _state()
    with pytest.raises(DomainError) as exc:
        backup_restore(forged, force=True)
    assert exc.value.code == "restore_mismatch" and "未作任何改动" in exc.value.message
    assert _state() == before
    assert audit.verify().ok  # the append-only triggers are back too
    with pytest.raises(Exception):  # noqa: B017 - backend-specific error class
        from django.db import transaction

        with transaction.atomic():
            Event.objects.filter(seq=1).update(summary="x")


@pytest.mark.django_db(transaction=True)
def test_encrypted_backup_round_trip_and_refusals(backed_up, tmp_path, settings):
    settings.BACKUP_ENCRYPTION_KEY = "backup-encryption-key-for-the-test-0123456789"
    archive = tmp_path / "e.tar.gz.enc"
    manifest = backup_create(archive)
    raw = archive.read_bytes()
    assert manifest["encrypted"] and raw.startswith(b"ZHIFA-BACKUP-AESGCM/1\n") and "张三".encode() not in raw
    before = _state()
    tampered = tmp_path / "t.enc"
    tampered.write_bytes(raw[:200] + bytes([raw[200] ^ 1]) + raw[201:])
    truncated = tmp_path / "short.enc"
    truncated.write_bytes(raw[: len(raw) // 2])
    for path, code in ((tampered, "backup_unauthenticated"), (truncated, "backup_corrupt")):
        with pytest.raises(DomainError) as exc:
            backup_restore(path, force=True)
        assert exc.value.code == code
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(DomainError) as exc:
        backup_restore(archive, force=True)
    assert exc.value.code == "backup_encrypted"
    assert _state() == before
    settings.BACKUP_ENCRYPTION_KEY = "backup-encryption-key-for-the-test-0123456789"
    backup_restore(archive, force=True)
    assert Party.objects.count() == manifest["counts"]["core.party"] and audit.verify(checkpoints=False).ok


@pytest.mark.django_db(transaction=True)
def test_backup_made_under_another_key_is_refused(backed_up, settings):
    settings.AUDIT_HMAC_KEY = "another-platform-key-0123456789-abcdefghij"
    before = _state()
    with pytest.raises(DomainError) as exc:
        backup_restore(backed_up, force=True)
    assert exc.value.code == "backup_unauthenticated"
    assert _state() == before


@pytest.mark.django_db
def test_a_file_rewritten_while_backed_up_is_archived_as_hashed(world, settings, tmp_path, monkeypatch):
    """The manifest's digest and size describe the bytes in the archive even when another process rewrites the
    file meanwhile (the first reading was hashed, the second archived: a digest the archive did not hold, or
    "unexpected end of data" when the file shrank)."""
    wim = Path(settings.VAR_DIR) / "wim" / "station-1.jsonl"
    wim.parent.mkdir(parents=True)
    wim.write_bytes(b'{"plate": "1"}\n' * 1000)
    real_open = Path.open

    def rewritten_after_reading(self, mode="r", *args, **kwargs):
        f = real_open(self, mode, *args, **kwargs)
        if self == wim and "r" in mode:
            real_close = f.close

            def close():
                real_close()
                wim.write_bytes(b"{}\n")  # the writer truncates and starts again
            f.close = close
        return f

    monkeypatch.setattr(Path, "open", rewritten_after_reading)
    archive = tmp_path / "b.tar.gz"
    manifest = backup_create(archive)
    entry = next(f for f in manifest["files"] if f["name"] == "files/wim/station-1.jsonl")
    with tarfile.open(archive) as tar:
        data = tar.extractfile("files/wim/station-1.jsonl").read()
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["size"])
    assert len(data) == 15 * 1000
