"""The chain head once per transaction (issue 19, docs/adr/0011): on PostgreSQL the head row is locked
with each event but written once, at commit, by a deferred trigger; whoever reads it inside the transaction
(verify, the checkpoint, the backup) sees it current; the head after commit equals the last event; and the
tampering the head exposed before is exposed as before."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from zhifa.core import audit
from zhifa.core.db import set_event_triggers
from zhifa.core.models import AuditHead, Event
from zhifa.core.tests.test_audit_insider import _sql


def _append(n, start=0, action="test.head"):
    return [audit.record(actor=None, action=action, subject=("core.test", start + i)) for i in range(n)]


def _last():
    return Event.objects.order_by("-seq").values_list("seq", "hash").first()


def _stored_head():
    return AuditHead.objects.values_list("seq", "hash").get()


def _chain_is_whole():
    result = audit.verify(rows=False, checkpoints=False)
    assert result.ok, result.describe()
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, result.checked + 1))
    return result


@pytest.mark.django_db(transaction=True)
def test_head_is_current_inside_the_transaction_and_equals_the_last_event_after_commit():
    with transaction.atomic():
        events = _append(5)
        assert audit.head() == (events[-1].seq, events[-1].hash)
        assert _chain_is_whole().head_seq == 5  # verify inside the transaction that wrote the events
        events += _append(3, start=5)  # after the head was brought up to date mid-transaction
        checkpoint = audit.checkpoint_write()
        assert (checkpoint["seq"], checkpoint["hash"]) == (8, events[-1].hash)
    assert _stored_head() == _last() == (8, events[-1].hash)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    _chain_is_whole()
    with transaction.atomic():  # the next transaction follows on from the committed head
        _append(2, start=8)
    assert _stored_head() == _last() and _last()[0] == 10
    _chain_is_whole()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["middle", "first"])
def test_events_of_a_savepoint_rolled_back_leave_a_whole_chain(where):
    """A nested atomic block (a service that failed and was caught) takes its events with it; the events
    after it follow the last one kept, also when the rolled-back block held the transaction's first append."""
    with transaction.atomic():
        if where == "middle":
            _append(2)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            _append(3, start=10)
            audit.head()  # the head moved inside the savepoint: rolled back with it
            1 / 0  # noqa: B018
        kept = _append(2, start=20)
        assert audit.head() == (kept[-1].seq, kept[-1].hash)
    expected = 4 if where == "middle" else 2
    assert _stored_head() == _last() == (expected, kept[-1].hash)
    assert not Event.objects.filter(subject_id__in=["10", "11", "12"]).exists()
    _chain_is_whole()


@pytest.mark.django_db(transaction=True)
def test_postgresql_writes_the_head_row_once_per_transaction_not_once_per_event():
    """The head row is locked per event but not updated: its version (ctid, xmin) stays the same however
    many events the transaction records, so locking it does not slow down with each event (before: one UPDATE
    and one dead-until-commit version per event, 4.3 ms a head statement after 8,000 events in one
    transaction)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite updates the head with each event (no row versions)")
    with transaction.atomic():
        _append(1)
    version = "SELECT ctid::text, xmin::text FROM core_audithead WHERE id = 1"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(version)
        before = cur.fetchone()
        with CaptureQueriesContext(connection) as queries:
            _append(40, start=1)
        head_statements = [q["sql"] for q in queries.captured_queries if "core_audithead" in q["sql"]]
        assert len(head_statements) == 40  # the lock, one per event
        assert not [sql for sql in head_statements if sql.lstrip().upper().startswith("UPDATE")]
        cur.execute(version)
        assert cur.fetchone() == before
        assert _stored_head()[0] == 1  # not yet moved: the trigger runs at commit
    assert _stored_head() == _last() and _last()[0] == 41
    _chain_is_whole()


@pytest.mark.django_db(transaction=True)
def test_head_moved_back_refuses_the_next_append_as_before():
    """An insider moves the head back (events kept): the next append follows the head and collides with an
    existing seq, so appends stop until someone looks; verify names the head. Not silently repaired by the
    next commit."""
    with transaction.atomic():
        events = _append(4)
    _sql(("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [events[1].seq, events[1].hash]))
    result = audit.verify(rows=False, checkpoints=False)
    assert not result.ok and "链头记录为 #2" in result.reason
    with pytest.raises(IntegrityError), transaction.atomic():
        _append(1, start=10)
    assert _stored_head() == (events[1].seq, events[1].hash) and _last()[0] == 4


@pytest.mark.django_db(transaction=True)
def test_tail_deleted_under_the_head_leaves_a_gap_the_next_append_does_not_close():
    with transaction.atomic():
        events = _append(5)
    _sql(("DELETE FROM core_event WHERE seq > %s", [events[2].seq]))
    assert "截断" in audit.verify(rows=False, checkpoints=False).reason
    with transaction.atomic():
        _append(2, start=10)
    result = audit.verify(rows=False, checkpoints=False)
    assert not result.ok and result.broken_seq == 6 and "序号不连续" in result.reason


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_keep_one_chain():
    """Appenders in other connections wait for the head lock; each then follows the events committed
    meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on the database file")
    errors = []

    def work(worker):
        try:
            for batch in range(4):
                with transaction.atomic():
                    _append(5, start=worker * 100 + batch * 10)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert _stored_head() == _last() and _last()[0] == 80
    _chain_is_whole()


@pytest.mark.django_db
def test_event_triggers_can_be_switched_with_head_events_pending():
    """PostgreSQL refuses ALTER TABLE while trigger events are pending: set_event_triggers fires them first
    (the restore and the tests switch the append-only triggers inside a transaction that has recorded
    events)."""
    with transaction.atomic():
        events = _append(3)
    set_event_triggers(False)
    set_event_triggers(True)
    assert audit.head() == (events[-1].seq, events[-1].hash)
    assert audit.append_only_in_force() and audit.head_trigger_in_force()
    _chain_is_whole()


@pytest.mark.django_db
def test_backup_inside_a_transaction_with_events_dumps_the_head_it_signs(settings, tmp_path):
    """The backup's dump and its signed manifest name the same head, the last event, when the transaction that
    makes the backup has recorded events of its own (the head trigger has not run yet there on PostgreSQL)."""
    import json
    import tarfile

    from zhifa.core.backup import backup_create

    settings.VAR_DIR = tmp_path / "var"
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.BACKUP_ENCRYPTION_KEY = ""
    with transaction.atomic():
        events = _append(3)
        manifest = backup_create(tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        rows = json.load(tar.extractfile("data.json"))
    dumped = next(r["fields"] for r in rows if r["model"] == "core.audithead")
    assert manifest["audit_head"] == {"seq": events[-1].seq, "hash": events[-1].hash}
    assert (dumped["seq"], dumped["hash"]) == (events[-1].seq, events[-1].hash)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the head trigger is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_without_the_head_trigger_the_head_moves_with_each_event_and_is_read_as_it_is():
    """Code run before migration 0010, or the trigger dropped: the head moves with each event as on SQLite (it
    stood still, and every later transaction's first append was refused), and ``head``, ``verify`` and the
    checkpoint read it instead of failing on the missing trigger (the stranger review of 2026-12-06)."""
    from zhifa.core.db import HEAD_TRIGGER, HEAD_TRIGGER_KNOWN

    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s", [HEAD_TRIGGER])
        definition = cur.fetchone()[0]
        cur.execute(f"DROP TRIGGER {HEAD_TRIGGER} ON core_event")
    connection.__dict__.pop(HEAD_TRIGGER_KNOWN, None)
    try:
        for start in (0, 10):  # two transactions: the second's first append follows the head the first left
            with transaction.atomic():
                _append(3, start=start)
                assert audit.head() == _last()
        assert _stored_head() == _last()
        _chain_is_whole()
    finally:
        with connection.cursor() as cur:
            cur.execute(definition)
        connection.__dict__.pop(HEAD_TRIGGER_KNOWN, None)
