"""The full-process record against an insider (issue 17 item 2): someone with the database — every row, the
triggers switched off, SHA-256 recomputed — but not the key in settings.AUDIT_HMAC_KEY nor the checkpoint
directory. Each tampering below passed `zhifa audit verify` before the record was keyed."""

import hashlib
import hmac
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from zhifa.core import audit, services
from zhifa.core.db import set_event_triggers
from zhifa.core.models import AuditHead, DataVersion, Event, Party
from zhifa.core.tests.test_audit import _make_events

ATTACKER_KEY = b"the attacker's guess, not the platform key"


def _sql(*statements):
    """Tamper as a database superuser would: append-only triggers off, change, triggers on."""
    set_event_triggers(False)
    with connection.cursor() as cur:
        for sql, params in statements:
            cur.execute(sql, params)
    set_event_triggers(True)


def _attacker_rehash(events: list[Event]) -> list[tuple]:
    """Recompute prev_hash/hash from the first changed event on, as anyone can (SHA-256 needs no secret); the mac
    is the attacker's best effort under a key of their own."""
    out, prev = [], events[0].prev_hash
    for event in events:
        event.prev_hash = prev
        event.hash = audit.compute_hash(event)
        event.mac = hmac.new(ATTACKER_KEY, event.hash.encode(), hashlib.sha256).hexdigest()
        out.append(("UPDATE core_event SET summary = %s, prev_hash = %s, hash = %s, mac = %s WHERE id = %s",
                    [event.summary, event.prev_hash, event.hash, event.mac, event.pk]))
        prev = event.hash
    out.append(("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [events[-1].seq, prev]))
    return out


def _verify_fails(capsys, *needles):
    result = audit.verify()
    assert not result.ok
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "校验失败" in out
    for needle in needles:
        assert needle in out
    return result


@pytest.mark.django_db(transaction=True)
def test_untouched_record_verifies_with_key_signatures_checkpoints_and_rows(world, capsys):
    _make_events(world)
    call_command("audit", "checkpoint")
    assert "已写入链头检查点" in capsys.readouterr().out
    result = audit.verify()
    assert result.ok, result.describe()
    assert result.checkpoints_checked == 1 and result.rows_checked >= 5
    assert all(e.key_id and len(e.mac) == 64 and e.row_digest for e in Event.objects.filter(action="party.create"))
    call_command("audit", "verify")
    assert "全过程记录完整" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_tail_truncated_and_head_moved_back_is_caught_by_the_checkpoint(world, capsys):
    _make_events(world)
    audit.checkpoint_write()
    events = list(Event.objects.order_by("seq"))
    keep = events[-3]
    _sql(("DELETE FROM core_event WHERE seq > %s", [keep.seq]),
         ("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [keep.seq, keep.hash]))
    # The database alone is consistent again: chain and head agree.
    assert audit.verify(checkpoints=False, rows=False).ok
    _verify_fails(capsys, f"数据库中只到 #{keep.seq}", "截断")


@pytest.mark.django_db(transaction=True)
def test_forged_appended_event_is_refused_for_its_key_signature(world, capsys):
    _make_events(world)
    head = AuditHead.objects.get()
    forged = Event(seq=head.seq + 1, occurred_at=timezone.now().replace(microsecond=0), actor_name="系统", subject_type="core.party",
                   subject_id="1", action="party.update", summary="补记", changes={}, prev_hash=head.hash, key_id=audit.current_key()[0])
    forged.hash = audit.compute_hash(forged)
    forged.mac = hmac.new(ATTACKER_KEY, forged.hash.encode(), hashlib.sha256).hexdigest()
    _sql(("INSERT INTO core_event (seq, occurred_at, actor_name, officer_number, organisation_name, subject_type, subject_id, "
          "subject_label, action, summary, changes, before_digest, after_digest, request_id, ip_address, prev_hash, hash, "
          "row_digest, key_id, mac) VALUES (%s, %s, %s, '', '', %s, %s, '', %s, %s, '{}', '', '', '', '', %s, %s, '', %s, %s)",
          [forged.seq, forged.occurred_at, forged.actor_name, forged.subject_type, forged.subject_id, forged.action,
           forged.summary, forged.prev_hash, forged.hash, forged.key_id, forged.mac]),
         ("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [forged.seq, forged.hash]))
    result = _verify_fails(capsys, f"#{forged.seq}", "密钥签名不符")
    assert result.broken_seq == forged.seq


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mac", ["kept", "attacker", "cleared"])
def test_edited_event_with_recomputed_hashes_is_refused(world, capsys, mac):
    _make_events(world)
    events = list(Event.objects.order_by("seq"))
    victim = events[2]
    victim.summary = "改过的摘要"
    statements = _attacker_rehash(events[2:])
    if mac == "kept":  # the original signatures left in place
        statements = [(sql, [*params[:3], e.mac, *params[4:]]) if "core_event" in sql else (sql, params)
                      for (sql, params), e in zip(statements, [*Event.objects.order_by("seq")[2:], None], strict=True)]
    elif mac == "cleared":  # made to look like an unsigned event from before the key
        statements.append(("UPDATE core_event SET key_id = '', mac = '' WHERE id = %s", [victim.pk]))
    _sql(*statements)
    assert audit.verify(rows=False, checkpoints=False).broken_seq == victim.seq
    _verify_fails(capsys, f"#{victim.seq}")


@pytest.mark.django_db(transaction=True)
def test_business_row_edited_outside_the_services_is_detected(world, capsys):
    """An edited fine amount (行政处罚法 Art. 47: the record must prove what was decided) and a deleted party."""
    from importlib import import_module

    from django.apps import apps

    from zhifa.cases.models import Case
    from zhifa.cases.tests.factories import person
    from zhifa.cases.tests.test_simplified_clocks_evidence import _simplified

    # the shipped catalogue, which an earlier transactional test's flush may have emptied: the fine's range is
    # read from it (a fine it cannot check is refused on the spot)
    import_module("zhifa.discretion.migrations.0003_shipped_data").load(apps, None)
    case = _simplified(world, person(world), Decimal("200"))
    assert audit.verify().ok
    Case.objects.filter(pk=case.pk).update(fine_amount=Decimal("20"))
    _verify_fails(capsys, f"{case.pk}（cases.case）的当前数据与最后一条记录不符")
    Case.objects.filter(pk=case.pk).update(fine_amount=Decimal("200.00"))
    assert audit.verify().ok  # the same row again: the digest is canonical (200 == 200.00)
    other = services.party_create(actor=world.users["officer"], organisation=world.brigade_a, kind=Party.Kind.PERSON,
                                  name="李四", id_number="11010519491231002X")
    Party.objects.filter(pk=other.pk).delete()
    _verify_fails(capsys, f"{other.pk}（core.party）已被删除")


@pytest.mark.django_db(transaction=True)
def test_checkpoint_forged_or_altered_outside_the_database_is_reported(world, capsys, settings):
    import json
    from pathlib import Path

    _make_events(world, 2)
    path = Path(audit.checkpoint_write()["path"])
    data = json.loads(path.read_text())
    data["seq"] = 1
    data["hash"] = Event.objects.get(seq=1).hash
    path.write_text(json.dumps(data))
    _verify_fails(capsys, "签名无效")


@pytest.mark.django_db(transaction=True)
def test_key_rotation_keeps_old_events_verifiable_with_the_old_key_listed(world, settings, capsys):
    _make_events(world, 2)
    old_kid = Event.objects.get(seq=1).key_id
    old_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = "a-new-key-for-the-record-rotated-in-2027-xxxxxxxx"
    settings.AUDIT_HMAC_OLD_KEYS = [old_key]
    with transaction.atomic():
        audit.record(actor=world.users["officer"], action="test.after_rotation", subject=("core.test", 1))
    new_event = Event.objects.order_by("-seq").first()
    assert new_event.key_id != old_kid
    assert audit.verify().ok
    settings.AUDIT_HMAC_OLD_KEYS = []
    result = _verify_fails(capsys, f"签名密钥 {old_kid} 未配置")
    assert result.broken_seq == 1


@pytest.mark.django_db(transaction=True)
def test_verify_reads_one_snapshot_while_events_are_appended(world):
    """Appends committed during the walk are not seen at all: never a false 'truncated' report."""
    _make_events(world, 6)
    appended = []

    def append_elsewhere(_checked):
        if appended:
            return

        def work():
            try:
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", subject=("core.test", len(appended)))
                appended.append(True)
            finally:
                connections.close_all()

        thread = threading.Thread(target=work)
        thread.start()
        thread.join(30)

    result = audit.verify(progress=append_elsewhere, chunk_size=2)
    assert appended, "the concurrent append did not commit"
    assert result.ok, result.describe()
    assert result.head_seq == result.checked == Event.objects.count() - 1
    assert audit.verify().ok


@pytest.mark.django_db
def test_admin_cannot_edit_or_delete_the_chain_head(world, client):
    from django.contrib.auth import get_user_model

    _make_events(world, 2)
    head = AuditHead.objects.get()
    admin_user = get_user_model().objects.create_superuser("root", password="x-9a7sd8f7a9s8df")
    client.force_login(admin_user)
    url = f"/admin/core/audithead/{head.pk}/change/"
    assert client.get(url).status_code == 200  # may be looked at
    response = client.post(url, {"id": head.pk, "seq": 0, "hash": "0" * 64})
    assert response.status_code == 403
    assert client.post(f"/admin/core/audithead/{head.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.post("/admin/core/audithead/", {"action": "delete_selected", "_selected_action": [head.pk], "post": "yes"})
    assert changelist.status_code in (200, 302, 403)
    assert client.get("/admin/core/audithead/add/").status_code == 403
    after = AuditHead.objects.get()
    assert (after.seq, after.hash) == (head.seq, head.hash)
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_checkpoint_task_signs_the_head_outside_the_database(world, settings):
    from pathlib import Path

    from zhifa.core.tasks import audit_checkpoint_task

    _make_events(world, 2)
    out = audit_checkpoint_task()
    head = AuditHead.objects.get()
    assert (out["seq"], out["hash"]) == (head.seq, head.hash)
    assert Path(out["path"]).parent == Path(settings.AUDIT_CHECKPOINT_DIR)
    assert "core.audit_checkpoint" in {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    latest = audit.checkpoint_latest()
    assert latest.valid and latest.seq == head.seq


@pytest.mark.django_db(transaction=True)
def test_postgresql_application_role_cannot_update_delete_truncate_or_alter_the_record(world, capsys):
    """The application connects as a role without ownership of core_event and without UPDATE/DELETE/TRUNCATE on it:
    it can append and read the record, nothing else — not even switch the append-only triggers off."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    import os

    import psycopg
    from psycopg import errors

    _make_events(world, 2)
    role = f"zhifa_app_{os.environ.get('ZHIFA_TEST_DB', 'test')}"[:60]
    params = connection.get_connection_params()
    with connection.cursor() as cur:
        cur.execute(f'DROP ROLE IF EXISTS "{role}"')
        cur.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-test-password'")
    try:
        call_command("db_roles", app_role=role)
        assert "仅可读取与追加" in capsys.readouterr().out
        conninfo = {k: params[k] for k in ("host", "port", "dbname") if params.get(k)}
        with psycopg.connect(**conninfo, user=role, password="app-test-password", autocommit=True) as app:
            assert app.execute("SELECT count(*) FROM core_event").fetchone()[0] == Event.objects.count()
            with app.transaction(force_rollback=True):  # the application's own writes still work
                app.execute("UPDATE core_audithead SET seq = seq WHERE id = 1")
                app.execute("INSERT INTO core_event (seq, occurred_at, actor_name, officer_number, organisation_name, subject_type, "
                            "subject_id, subject_label, action, summary, changes, before_digest, after_digest, request_id, ip_address, "
                            "prev_hash, hash, row_digest, key_id, mac) SELECT max(seq) + 1, now(), '', '', '', 'x', '1', '', 'x', '', "
                            "'{}', '', '', '', '', '', md5(random()::text), '', '', '' FROM core_event")
            for statement in ("UPDATE core_event SET summary = 'x'", "DELETE FROM core_event", "TRUNCATE core_event",
                              "ALTER TABLE core_event DISABLE TRIGGER USER", "DROP TABLE core_event"):
                with pytest.raises(errors.InsufficientPrivilege) as exc:
                    app.execute(statement)
                assert "permission denied" in str(exc.value) or "must be owner" in str(exc.value), statement
        assert audit.verify().ok
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP OWNED BY "{role}"')
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_db_roles_refuses_sqlite_with_a_clear_message(db):
    from django.core.management.base import CommandError

    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError) as exc:
        call_command("db_roles", app_role="zhifa_app")
    assert "只适用于 PostgreSQL" in str(exc.value)


@pytest.mark.django_db(transaction=True)
def test_api_and_record_page_name_a_business_row_changed_outside_the_record(world, api_for, client_for):
    from django.urls import reverse

    _make_events(world, 2)
    party = Party.objects.order_by("pk").first()
    Party.objects.filter(pk=party.pk).update(name="改过的名称")
    body = api_for("supervisor").post("/api/v1/core/audit/verify").json()
    assert body["ok"] is False and body["reason"] == ""
    assert any(f"{party.pk}（core.party）的当前数据与最后一条记录不符" in p for p in body["problems"])
    page = client_for("supervisor").post(reverse("core:audit_log")).content.decode()
    assert "全过程记录校验失败" in page and "的当前数据与最后一条记录不符" in page


@pytest.mark.django_db
def test_demo_data_ends_with_a_checkpoint_and_sets_an_earlier_databases_checkpoints_aside(settings, capsys):
    import json
    from pathlib import Path

    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    folder.mkdir(parents=True)
    (folder / "20260101T000000000000Z-000000000999.json").write_text(json.dumps({"seq": 999, "hash": "a" * 64}))
    call_command("demo_data", only="core")
    out = capsys.readouterr().out
    assert "已将 1 个旧链头检查点移至" in out and "全过程记录链头检查点：#" in out
    assert [m.seq for m in audit.checkpoint_list()] == [AuditHead.objects.get().seq]
    assert len(list(folder.glob("superseded-*/*.json"))) == 1
    assert audit.verify().ok


@pytest.mark.django_db
def test_row_read_for_the_digest_equals_what_the_orm_reads(world):
    """record() reads the subject row through a query compiled once per model; it must give exactly the values
    (decimals, dates, times, JSON, booleans) that verify() reads through the ORM."""
    from zhifa.cases.models import Case
    from zhifa.cases.tests.factories import person
    from zhifa.cases.tests.test_simplified_clocks_evidence import _simplified

    case = _simplified(world, person(world), Decimal("150.50"))
    version = DataVersion.objects.order_by("key").first()  # a text key (core.db.Compiled's text placeholder)
    for model, pk in ((Case, case.pk), (Party, case.party_id), (DataVersion, version.key)):
        names = [f.attname for f in audit._digest_fields(model)]
        assert audit._read_row(model, pk) == tuple(model.objects.filter(pk=pk).values_list(*names).get())
        assert audit._read_row(model, pk) == audit._read_row(model, pk)  # the compiled query again
    assert Event.objects.filter(subject_type="cases.case", subject_id=str(case.pk)).order_by("-seq").first().row_digest == \
        audit.row_digest("cases.case", str(case.pk))
    assert audit.row_digest("cases.case", "not-a-number") == "" and audit.row_digest("cases.case", "987654321") == audit.ROW_DELETED
