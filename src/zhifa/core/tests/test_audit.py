"""The full-process record (行政处罚法 Art. 47): append-only, hash-chained, every tampering detected."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from zhifa.core import audit, services
from zhifa.core.db import set_event_triggers
from zhifa.core.models import AuditHead, Event, Party


def _make_events(world, n=5):
    for i in range(n):
        services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind=Party.Kind.ORGANISATION,
                              name=f"企业{i}", credit_code=["91350100M000100Y43", "91411321MA9XY2LB3U"][0] if i == 0 else _code(i))


def _code(i):
    import random

    from zhifa.core.demo import make_credit_code

    return make_credit_code(random.Random(i), "411321")


def _sql(sql, params=()):
    """Tamper as a database superuser would: switch the append-only triggers off, change, switch them on."""
    set_event_triggers(False)
    with connection.cursor() as cur:
        cur.execute(sql, params)
    set_event_triggers(True)


@pytest.mark.django_db
def test_service_writes_event_with_actor_and_officer_number(world):
    _make_events(world, 1)
    event = Event.objects.get(action="party.create")
    assert event.actor_name == "officer" and event.officer_number == world.officers["officer"].cert_number
    assert event.organisation_id == world.brigade_a.pk
    assert event.after_digest and event.changes["name"][1] == "企业0"


@pytest.mark.django_db
def test_untouched_log_verifies(world):
    _make_events(world)
    result = audit.verify()
    assert result.ok and result.checked == Event.objects.count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tamper", ["edit_summary", "edit_changes", "delete_middle", "delete_last", "insert", "edit_occurred_at"])
def test_any_single_row_change_is_detected_and_named(world, tamper, capsys):
    _make_events(world)
    events = list(Event.objects.order_by("seq"))
    victim = events[2]
    if tamper == "edit_summary":
        _sql("UPDATE core_event SET summary = %s WHERE id = %s", ["改过的摘要", victim.pk])
    elif tamper == "edit_changes":
        _sql("UPDATE core_event SET changes = %s WHERE id = %s", ['{"name": ["x", "y"]}', victim.pk])
    elif tamper == "edit_occurred_at":
        _sql("UPDATE core_event SET occurred_at = %s WHERE id = %s", ["2020-01-01 00:00:00", victim.pk])
    elif tamper == "delete_middle":
        _sql("DELETE FROM core_event WHERE id = %s", [victim.pk])
    elif tamper == "delete_last":
        _sql("DELETE FROM core_event WHERE id = %s", [events[-1].pk])
    else:
        forged = Event(seq=victim.seq, occurred_at=victim.occurred_at, subject_type="x", subject_id="1", action="forged",
                       prev_hash=victim.prev_hash, hash="f" * 64)
        _sql("UPDATE core_event SET hash = %s, prev_hash = %s WHERE id = %s", [forged.hash, forged.prev_hash, victim.pk])
    result = audit.verify()
    assert not result.ok
    if tamper != "delete_last":
        assert result.broken_seq is not None
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "校验失败" in out
    if tamper not in ("delete_last",):
        assert f"#{result.broken_seq}" in out


@pytest.mark.django_db(transaction=True)
def test_database_refuses_update_and_delete_of_events(world):
    _make_events(world, 1)
    pk = Event.objects.first().pk
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - backend-specific error class
        Event.objects.filter(pk=pk).update(summary="x")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        Event.objects.filter(pk=pk).delete()
    assert audit.verify().ok


@pytest.mark.django_db
def test_record_writes_its_event_and_the_head_by_statements_made_once(world, monkeypatch):
    """After a connection's first event, ``record`` builds none of its statements through the ORM: the event's
    INSERT, and on SQLite the head's read and UPDATE, are made once per connection (``core.db.insert``,
    ``_HEAD_ROW``, ``_move_head``); the row stored is the event as returned, the head follows it and the chain
    verifies."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.db.models.sql.query import Query

    officer = world.users["officer"]
    with transaction.atomic():
        audit.record(actor=officer, action="test.first", subject=("test.thing", "1", "物一"), summary="一")
        built, get_compiler = [], Query.get_compiler
        monkeypatch.setattr(Query, "get_compiler", lambda self, *a, **kw: built.append(self.model)
                            or get_compiler(self, *a, **kw))
        event = audit.record(actor=officer, action="test.second", subject=("test.thing", "2", "物二"),
                             summary="二", changes={"金额": Decimal("12.50"), "日": date(2026, 3, 1)},
                             organisation=world.brigade_a,
                             occurred_at=datetime(2026, 3, 1, 8, 30, 5, 123456, tzinfo=UTC))
        monkeypatch.undo()
        assert Event not in built and AuditHead not in built
        assert event.pk and not event._state.adding and event._state.db == "default"
        stored = Event.objects.get(pk=event.pk)
        assert ({f.attname: getattr(stored, f.attname) for f in Event._meta.concrete_fields}
                == {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields})
        assert stored.occurred_at == datetime(2026, 3, 1, 8, 30, 5, 123000, tzinfo=UTC)
        assert stored.changes == {"金额": "12.50", "日": "2026-03-01"}
        assert audit.head() == (event.seq, event.hash)
    assert audit.verify(checkpoints=False).ok


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused(world):
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="x", subject=("core.x", 1))
    assert not AuditHead.objects.filter(seq__gt=0).exists()
