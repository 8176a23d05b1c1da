"""Backup and restore round trip: restore into an empty database; counts, files and the audit chain head match."""

import io

import pytest
from django.core.management import call_command

from zhifa.core import audit
from zhifa.core.backup import backup_create, backup_restore
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.models import AuditHead, Event, EvidenceFile, Party, Vehicle
from zhifa.core.tests.factories import VehicleFactory


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
