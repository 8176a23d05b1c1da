"""Content-addressed evidence files: hash recorded, same content stored once, type sniffed."""

import hashlib
import io

import pytest

from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_check, evidence_store, path_for
from zhifa.core.models import Event, EvidenceFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.mark.django_db
def test_store_records_sha256_in_the_log(world):
    ef = evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(PNG), name="现场照片.png", content_type="image/png")
    digest = hashlib.sha256(PNG).hexdigest()
    assert ef.sha256 == digest and path_for(digest).read_bytes() == PNG
    event = Event.objects.get(action="evidence.store")
    assert event.changes["sha256"] == digest
    assert evidence_check(ef)


@pytest.mark.django_db
def test_same_content_is_stored_once(world):
    for name in ("a.png", "b.png"):
        evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(PNG), name=name, content_type="image/png")
    assert EvidenceFile.objects.count() == 1
    assert Event.objects.filter(action="evidence.store").count() == 2


@pytest.mark.django_db
def test_content_that_does_not_match_its_type_is_refused(world):
    with pytest.raises(DomainError) as exc:
        evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(b"MZ\x90\x00 not a png"), name="x.png", content_type="image/png")
    assert exc.value.code == "evidence_content_mismatch"
    assert not EvidenceFile.objects.exists() and not Event.objects.filter(action="evidence.store").exists()


@pytest.mark.django_db
def test_a_changed_file_is_detected(world):
    ef = evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(PNG), name="a.png", content_type="image/png")
    path_for(ef.sha256).write_bytes(PNG + b"x")
    assert not evidence_check(ef)


@pytest.mark.django_db
def test_s3_compatible_store(world, settings):
    """With EVIDENCE_S3_BUCKET the same content-addressed layout lives in a bucket (moto's S3 stand-in)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from zhifa.core.evidence import evidence_read

    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="zhifa-evidence")
        settings.STORAGES = {**settings.STORAGES, "evidence": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": "zhifa-evidence", "region_name": "us-east-1", "location": "evidence", "file_overwrite": False,
            "access_key": "test", "secret_key": "test"}}}
        ef = evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(PNG), name="a.png", content_type="image/png")
        keys = [o["Key"] for o in boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="zhifa-evidence")["Contents"]]
        assert keys == [f"evidence/{ef.relative_path}"]
        assert evidence_read(ef) == PNG and evidence_check(ef)


@pytest.mark.django_db
def test_store_inside_a_callers_block_opens_a_savepoint_only_for_a_new_file(world):
    """Issue 19: inside a caller's transaction (a paper issued in document_issue's block) the store opened a
    savepoint of its own, two round trips a file. Now only get_or_create's insert of a new file keeps one (a
    concurrent upload of the same content wins there); a refused file still leaves the caller's transaction
    usable and nothing stored."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def store(content: bytes, name: str):
        return evidence_store(actor=world.users["officer"], organisation=world.brigade_a,
                              fileobj=io.BytesIO(content), name=name, content_type="image/png")

    with transaction.atomic():
        store(PNG, "a.png")  # the record's first event (its chain head created) out of the count
        with CaptureQueriesContext(connection) as first:
            store(PNG + b"\x02", "b.png")
        with CaptureQueriesContext(connection) as again:
            store(PNG + b"\x02", "c.png")
        with pytest.raises(DomainError):
            store(b"MZ\x90\x00 not a png", "x.png")
        assert not transaction.get_rollback()
        store(PNG + b"\x01", "d.png")  # the transaction goes on
    savepoints = [sum(q["sql"].upper().startswith("SAVEPOINT") for q in c.captured_queries)
                  for c in (first, again)]
    assert savepoints == [1, 0]
    assert EvidenceFile.objects.count() == 3 and Event.objects.filter(action="evidence.store").count() == 4
