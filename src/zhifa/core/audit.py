"""The full-process record (全过程记录, 行政处罚法 Art. 47): an append-only, hash-chained, keyed event log.

Services call :func:`record` inside their own transaction, so the change and its record commit together
or not at all. Each event's hash is SHA-256 over the previous hash and the event's canonical JSON form, and
its ``mac`` is HMAC-SHA256 under a key that is not in the database (``settings.AUDIT_HMAC_KEY``) over that
hash and the digest of the subject's row after the act. The chain head (``AuditHead``: last seq and hash) is
locked with each append, which serialises appends; SQLite updates it with each event, PostgreSQL once per
transaction, at commit, by a deferred trigger (so one transaction's thousands of events do not pile up row versions
of it); read it through :func:`head`, which is current inside a transaction too. Signed checkpoints of the chain
head are written outside the database (:func:`checkpoint_write`). :func:`verify` reads one snapshot and reports a broken link
(edited, deleted, inserted or reordered rows), an event whose key signature fails (an edit with recomputed
hashes, a forged append), a head behind a checkpoint (a truncated tail) and business rows that differ from
their last event (a row changed outside the services). See docs/adr/0007-keyed-record.md and
docs/adr/0011-chain-head-once-per-transaction.md.
"""

import hashlib
import hmac
import json
import os
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from . import context
from .db import HEAD_TRIGGER, HEAD_TRIGGER_KNOWN, TEXT_PLACEHOLDER, Compiled, fire_head_trigger, insert
from .models import AuditHead, Event

GENESIS = "0" * 64
CANONICAL_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "officer_number", "organisation_id",
    "organisation_name", "subject_type", "subject_id", "subject_label", "action", "summary",
    "changes", "before_digest", "after_digest", "request_id", "ip_address", "prev_hash",
)


def _json_default(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def to_jsonable(data):
    """Normalise a value to what a JSON column gives back (so the stored row hashes like the written one)."""
    return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def canonical(values: dict) -> bytes:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode()


def digest(data) -> str:
    return hashlib.sha256(canonical(to_jsonable(data))).hexdigest() if data is not None else ""


def _event_values(event: Event) -> dict:
    values = {name: getattr(event, name) for name in CANONICAL_FIELDS}
    values["occurred_at"] = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return values


def compute_hash(event: Event) -> str:
    return hashlib.sha256(event.prev_hash.encode() + canonical(_event_values(event))).hexdigest()


# --- The key (outside the database) -----------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _keyring(current: str, old: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    """(id of the current key, {key id: key}). A key id is derived from the key, so nothing has to be numbered
    by hand and the id reveals nothing about the key."""
    ring = {}
    for secret in (current, *old):
        raw = secret.encode()
        ring[hmac.new(raw, b"zhifa-audit-key-id", hashlib.sha256).hexdigest()[:12]] = raw
    current_id = next(iter(ring))
    return current_id, ring


def keyring() -> tuple[str, dict[str, bytes]]:
    return _keyring(settings.AUDIT_HMAC_KEY, tuple(settings.AUDIT_HMAC_OLD_KEYS))


def current_key() -> tuple[str, bytes]:
    kid, ring = keyring()
    return kid, ring[kid]


def _mac(kid: str, purpose: str, message: str) -> str | None:
    key = keyring()[1].get(kid)
    if key is None:
        return None
    return hmac.new(key, f"zhifa/{purpose}/1\n{kid}\n{message}".encode(), hashlib.sha256).hexdigest()


def event_mac(kid: str, event_hash: str, row_digest: str) -> str:
    """HMAC over the event's hash (which covers every canonical field and the previous hash) and its row digest."""
    return _mac(kid, "event", f"{event_hash}\n{row_digest}") or ""


def sign(purpose: str, message: str) -> tuple[str, str]:
    """(key id, HMAC) of ``message`` under the current key, for checkpoints and backups (domain-separated)."""
    kid, _ = current_key()
    return kid, _mac(kid, purpose, message)


def check_signature(purpose: str, message: str, kid: str, mac: str) -> bool:
    expected = _mac(kid or "", purpose, message)
    return expected is not None and hmac.compare_digest(expected, mac or "")


# --- Business rows: the digest of the subject row after the act -------------------------------------------------

ROW_DELETED = "deleted"  # the subject row did not exist after the act (a deletion)


def _canonical_value(f, value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        places = getattr(f, "decimal_places", None)
        return f"{value.quantize(Decimal(1).scaleb(-places)) if places is not None else value:f}"
    # Times to the millisecond: what Django's JSON serialiser keeps, so a row restored from a backup verifies.
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat(timespec="milliseconds")
    if isinstance(value, time):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return value
    return str(value)


@lru_cache(maxsize=512)
def _digest_fields(model) -> tuple:
    """The concrete fields a row digest covers, in declaration order; a model may leave out fields that change
    without an act (``audit_digest_exclude``: caches, counters)."""
    exclude = set(getattr(model, "audit_digest_exclude", ()))
    return tuple(f for f in model._meta.concrete_fields if f.name not in exclude and f.attname not in exclude)


def row_digest_of(model, values) -> str:
    """SHA-256 of a row's canonical form: the same value on SQLite and PostgreSQL (decimals at their scale,
    times in UTC to the millisecond), so a restored or migrated database verifies alike."""
    data = [_canonical_value(f, v) for f, v in zip(_digest_fields(model), values, strict=True)]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


@lru_cache(maxsize=512)
def audited_model(subject_type: str):
    """The model a subject type names, or None for a batch, a file or another pseudo-subject."""
    try:
        model = apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None
    return model if model._meta.managed and model._meta.label_lower == subject_type else None


def row_digest(subject_type: str, subject_id: str) -> str:
    """The digest of the subject's row as stored now (read back, so it is the row after the act however the
    service wrote it): '' for a pseudo-subject, ROW_DELETED when no such row exists."""
    model = audited_model(subject_type)
    if model is None:
        return ""
    try:
        pk = model._meta.pk.to_python(subject_id)
    except (ValueError, TypeError, ValidationError):
        return ""
    values = _read_row(model, pk)
    return ROW_DELETED if values is None else row_digest_of(model, values)


def _instance_digest(instance) -> str | None:
    """The row digest from an instance just read back from the database (every digest field loaded), or
    None."""
    deferred = instance.get_deferred_fields()
    fields = _digest_fields(type(instance))
    if any(f.attname in deferred for f in fields):
        return None
    return row_digest_of(type(instance), [getattr(instance, f.attname) for f in fields])


@cache  # one per model, kept: its compiled query is found on the connection by this object
def _row_reader(model) -> Compiled:
    names = [f.attname for f in _digest_fields(model)]
    # The key is the query's only parameter, so any value of its kind stands for it: an integer within every
    # integer key's range (core.db's NUMBER_PLACEHOLDER is not: Django compiles a key out of its field's range
    # to no parameter at all), or text (the only other kind of key here).
    placeholder = 1 if isinstance(model._meta.pk, models.IntegerField) else TEXT_PLACEHOLDER
    return Compiled(lambda pk: model._base_manager.using(DEFAULT_DB_ALIAS).filter(pk=pk).values_list(*names),
                    placeholder=placeholder)


def _read_row(model, pk):
    """The digest fields of one row, converted exactly as the ORM converts them (so record() and verify() see the
    same values). record() runs on every write: the query is compiled once per model and connection
    (core.db.Compiled), which saves building a many-field query each time (the larger part of its cost)."""
    return _row_reader(model).first(model._meta.pk.get_prep_value(pk), using=DEFAULT_DB_ALIAS)


def subject_key(subject) -> tuple[str, str, str]:
    """(type, id, label) for a model instance or a (type, id[, label]) tuple."""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk), str(subject)[:200]
    kind, pk, *label = subject
    return kind, str(pk), (label[0] if label else "")[:200]


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """Field values of ``instance`` as JSON-able data, for before/after in an event."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return to_jsonable({name: getattr(instance, name) for name in names})


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    subject,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    changes: dict | None = None,
    organisation=None,
    occurred_at: datetime | None = None,
    read_back: models.Model | None = None,
) -> Event:
    """Append one event. Must run inside the caller's transaction (the change and its record are atomic).

    ``read_back``: the subject as the caller has just read it from the database in this transaction, after
    the change (the workflow kernel's refresh): the row digest is taken from its values, which are the row's
    as the ORM converts them, instead of reading the same row once more."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic() with the change it records")
    subject_type, subject_id, subject_label = subject_key(subject)
    before_j = to_jsonable(before) if before is not None else None
    after_j = to_jsonable(after) if after is not None else None
    if changes is None:
        changes = diff(before_j or {}, after_j or {}) if (before_j is not None or after_j is not None) else {}
    officer_number = ""
    actor_id = None
    actor_name = "系统"
    if actor is not None and getattr(actor, "pk", None):
        actor_id = actor.pk
        actor_name = getattr(actor, "display_name", str(actor))
        officer = getattr(actor, "officer", None) if hasattr(actor, "officer") else None
        officer_number = officer.cert_number if officer else ""
        if organisation is None:
            organisation = getattr(actor, "organisation", None)
    ctx = context.current()
    # Millisecond precision: what every serialiser (JSON dumps, backups, exchange files) round-trips exactly.
    when = occurred_at or timezone.now()
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    prev_seq, prev_hash = _previous()
    event = Event(
        seq=prev_seq + 1,
        occurred_at=when,
        actor_id=actor_id,
        actor_name=actor_name[:150],
        officer_number=officer_number,
        organisation_id=getattr(organisation, "pk", None),
        organisation_name=str(organisation or "")[:100],
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label,
        action=action,
        summary=summary[:500],
        changes=to_jsonable(changes),
        before_digest=digest(before_j) if before_j is not None else "",
        after_digest=digest(after_j) if after_j is not None else "",
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
        prev_hash=prev_hash,
    )
    fresh = None
    if (read_back is not None and read_back._meta.label_lower == subject_type
            and str(read_back.pk) == subject_id):
        fresh = _instance_digest(read_back)
    event.row_digest = fresh if fresh is not None else row_digest(subject_type, subject_id)
    event.hash = compute_hash(event)
    event.key_id, _ = current_key()
    event.mac = event_mac(event.key_id, event.hash, event.row_digest)
    insert(event)  # event.save(force_insert=True)
    if not _head_moves_at_commit():  # PostgreSQL with its trigger in force: the trigger moves it at commit
        _move_head(event.seq, event.hash)
    return event


# --- The event's row and the head's, by statements made once ---------------------------------------------
#
# record() runs on every write (~8,000 times in the whole demo), and the ORM built the same INSERT of
# the event, the same read of the head and the same UPDATE of it anew at every call: about two thirds of
# record()'s own CPU on SQLite (docs/testing.md "The whole-demo test: rows inserted by statements made
# once"). The statements are made once per connection (``core.db.insert``, ``_move_head``, ``_HEAD_ROW``)
# and sent with the values the ORM would send.

_HEAD_UPDATE_SLOT = "_zhifa_audit_head_update"


def _move_head(seq: int, hash_: str) -> None:
    """``AuditHead.objects.filter(pk=1).update(seq=…, hash=…)``, its statement made once per connection."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql = conn.__dict__.get(_HEAD_UPDATE_SLOT)
    if sql is None:
        qn, meta = conn.ops.quote_name, AuditHead._meta
        seq_column, hash_column = qn(meta.get_field("seq").column), qn(meta.get_field("hash").column)
        sql = conn.__dict__[_HEAD_UPDATE_SLOT] = (f"UPDATE {qn(meta.db_table)} SET {seq_column} = %s, "
                                                  f"{hash_column} = %s WHERE {qn(meta.pk.column)} = %s")
    with transaction.mark_for_rollback_on_error(), conn.cursor() as cur:
        cur.execute(sql, [seq, hash_, 1])


# The head's row on SQLite, which has no FOR UPDATE (the ORM leaves it out there; its write transaction
# serialises appends).
_HEAD_ROW = Compiled(lambda pk: AuditHead.objects.filter(pk=pk).values_list("seq", "hash"), placeholder=1)


# --- The chain head ------------------------------------------------------------------------------------------------
#
# SQLite updates the head with each event. PostgreSQL keeps MVCC versions: N updates of the one head row in one
# transaction leave N versions that cannot be pruned before it ends, and each later lock or update walks them all
# (quadratic: 4.3 ms a head statement after 8,000 events, docs/testing.md). There the head row is only locked
# per event, and the deferred constraint trigger core_event_head (migration 0010) sets it once, at commit, from
# the transaction's last event. See docs/adr/0011-chain-head-once-per-transaction.md.

# The head (seq:hash) this transaction's first append followed, set with that append and local to the
# transaction (and to a savepoint rolled back): only while it still names the head are the events above the
# head this transaction's own, to be followed from the last of them.
_BASE_SETTING = "zhifa.audit_base"


@cache
def _lock_sql() -> str:
    head, events = AuditHead._meta.db_table, Event._meta.db_table
    return (f"SELECT h.seq, h.hash, current_setting('{_BASE_SETTING}', true), e.seq, e.hash FROM {head} h "
            f"LEFT JOIN LATERAL (SELECT seq, hash FROM {events} ORDER BY seq DESC LIMIT 1) e ON true "
            f"WHERE h.id = 1 FOR UPDATE OF h")


def _previous() -> tuple[int, str]:
    """(seq, hash) of the event the next one follows, with the head row locked until the transaction ends:
    appends are serialised so the chain never forks."""
    if connection.vendor != "postgresql":
        found = _HEAD_ROW.first(1, using=DEFAULT_DB_ALIAS) if connection.vendor == "sqlite" else None
        if found is not None:
            return found
        row, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return row.seq, row.hash
    with connection.cursor() as cur:
        cur.execute(_lock_sql())
        row = cur.fetchone()
        if row is None:  # the first event ever: create the head row, then lock it
            AuditHead.objects.select_for_update().get_or_create(pk=1)
            cur.execute(_lock_sql())
            row = cur.fetchone()
        head_seq, head_hash, base, last_seq, last_hash = row
        marker = f"{head_seq}:{head_hash}"
        # Followed from this transaction's last event only when it appended from this head already (so the
        # events above the head are its own, written under the lock it still holds). Otherwise from the head,
        # exactly as when the head moved with every event: a head moved back makes the next seq a duplicate
        # (refused), a tail deleted under the head leaves a gap (verify reports both).
        if base == marker and last_seq is not None and last_seq > head_seq:
            return last_seq, last_hash
        if base != marker:
            cur.execute("SELECT set_config(%s, %s, true)", [_BASE_SETTING, marker])
        return head_seq, head_hash


def head() -> tuple[int, str]:
    """(seq, hash) of the chain head as it stands in this transaction, its own appends included: on PostgreSQL
    the pending head trigger is fired first (SET CONSTRAINTS … IMMEDIATE runs the deferred events retroactively;
    the head row then gets one version). Every reader of the head goes through here. Without the trigger (not
    migrated, or dropped) the head has moved with each event (``record``) and is read as it is."""
    fire_head_trigger()
    row = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return row if row else (0, GENESIS)


def head_trigger_in_force() -> bool:
    """Whether the head trigger exists and is enabled (PostgreSQL; elsewhere the head moves with each event)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'core_event'::regclass AND tgname = %s "
                    "AND tgenabled IN ('O', 'A')", [HEAD_TRIGGER])
        return cur.fetchone()[0] == 1


def _head_moves_at_commit() -> bool:
    """Whether the head trigger moves the head at commit here (asked once per connection, again after
    ``set_event_triggers``): where it does not — SQLite, or PostgreSQL before migration 0010 or with the
    trigger off — ``record`` moves the head with each event, so the chain never stalls."""
    if connection.vendor != "postgresql":
        return False
    known = connection.__dict__.get(HEAD_TRIGGER_KNOWN)
    if known is None:
        known = connection.__dict__[HEAD_TRIGGER_KNOWN] = head_trigger_in_force()
    return known


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # checkpoints and business rows
    rows_checked: int = 0
    checkpoints_checked: int = 0

    def describe(self) -> str:
        if self.ok:
            text = (f"全过程记录完整：共校验 {self.checked} 条（密钥签名均有效），链头 #{self.head_seq} {self.head_hash[:16]}…；"
                    f"核对业务数据 {self.rows_checked} 行、链头检查点 {self.checkpoints_checked} 个，均一致")
            if not self.checkpoints_checked:
                text += "。注意：没有找到链头检查点，删除最后几条并回退链头无法发现（请运行 zhifa audit checkpoint）"
            return text
        lines = []
        if self.reason:
            where = f"第 #{self.broken_seq} 条（id={self.broken_id}）" if self.broken_seq is not None else "链尾"
            lines.append(f"全过程记录校验失败：{where}：{self.reason}")
        if self.problems:
            if not lines:
                lines.append(f"全过程记录校验失败：共 {len(self.problems)} 处问题")
            lines += [f"  ✗ {p}" for p in self.problems[:50]]
            if len(self.problems) > 50:
                lines.append(f"  …另有 {len(self.problems) - 50} 处")
        return "\n".join(lines)


@contextmanager
def _one_snapshot():
    """Read everything verify needs from one snapshot, so appends committed meanwhile are simply not seen (they
    can never look like a truncated tail). PostgreSQL: a REPEATABLE READ, READ ONLY transaction; SQLite: a
    deferred read transaction (WAL keeps writers going). Inside a caller's transaction it is that transaction."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("COMMIT")


def verify(*, progress=None, rows: bool = True, checkpoints: bool = True, chunk_size: int = 5000) -> VerifyResult:
    """Walk the whole chain in seq order (hash links and key signatures), then compare the head with the signed
    checkpoints outside the database and the current business rows with their last event — in one snapshot."""
    with _one_snapshot():
        return _verify(progress=progress, rows=rows, checkpoints=checkpoints, chunk_size=chunk_size)


def _verify(*, progress, rows, checkpoints, chunk_size) -> VerifyResult:
    head_seq, head_hash = head()
    marks = checkpoint_list() if checkpoints else []
    wanted = {c.seq for c in marks if c.valid}
    seen_hashes = {0: GENESIS}
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    ring = keyring()[1]
    with closing(Event.objects.order_by("seq").iterator(chunk_size=chunk_size)) as events:
        for event in events:
            broken = _check_link(event, expected_seq, prev_hash, ring)
            if broken:
                return VerifyResult(False, checked, event.seq - 1 if event.seq == expected_seq else expected_seq - 1,
                                    prev_hash, event.seq, event.pk, broken)
            if event.seq in wanted:
                seen_hashes[event.seq] = event.hash
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
            if progress and checked % chunk_size == 0:
                progress(checked)
    if head_seq != checked or head_hash != prev_hash:
        reason = f"链头记录为 #{head_seq}，实际最后一条为 #{checked}：记录被截断或链头被改动"
        if not head_trigger_in_force():
            reason += "（数据库中维护链头的触发器 core_event_head 不存在或已停用）"
        return VerifyResult(False, checked, checked, prev_hash, None, None, reason)
    problems = []
    for mark in marks:
        if not mark.valid:
            problems.append(f"检查点 {mark.name}：{mark.problem}")
        elif mark.seq > checked:
            problems.append(f"检查点 {mark.name} 记载链头 #{mark.seq}，数据库中只到 #{checked}：记录尾部被截断、链头被回退")
        elif seen_hashes.get(mark.seq) != mark.hash:
            problems.append(f"检查点 {mark.name} 记载第 #{mark.seq} 条的哈希与数据库不符：记录被改写")
    if not append_only_in_force():
        problems.append("全过程记录表的只追加触发器不存在或已停用：记录可被改写")
    rows_checked = _verify_rows(problems) if rows else 0
    return VerifyResult(not problems, checked, head_seq, head_hash, problems=problems, rows_checked=rows_checked,
                        checkpoints_checked=len(marks), reason="")


def append_only_in_force() -> bool:
    """Whether the table's append-only triggers exist and are enabled (a migration that rebuilt the table on
    SQLite, or an ALTER TABLE … DISABLE TRIGGER on PostgreSQL, removes that wall)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'core_event'::regclass AND NOT tgisinternal "
                        "AND tgenabled IN ('O', 'A') AND tgname IN ('core_event_no_update', 'core_event_no_truncate')")
            return cur.fetchone()[0] == 2
        if connection.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_event' "
                        "AND name IN ('core_event_no_update', 'core_event_no_delete')")
            return cur.fetchone()[0] == 2
    return True


def _check_link(event: Event, expected_seq: int, prev_hash: str, ring: dict) -> str:
    """Why this event breaks the chain, or ''."""
    if event.seq != expected_seq:
        return f"序号不连续（应为 {expected_seq}），有记录被删除或插入"
    if event.prev_hash != prev_hash:
        return "前一哈希不符，链条断裂"
    if compute_hash(event) != event.hash:
        return "内容与哈希不符，记录被篡改"
    if event.key_id not in ring:
        return ("没有密钥签名：记录被伪造或改动" if not event.key_id
                else f"签名密钥 {event.key_id} 未配置（轮换后旧密钥应保留在 AUDIT_HMAC_OLD_KEYS 中）")
    if not hmac.compare_digest(event_mac(event.key_id, event.hash, event.row_digest), event.mac):
        return "密钥签名不符：记录被改动或伪造（哈希可以重算，密钥签名不能）"
    return ""


def _verify_rows(problems: list[str], chunk_size: int = 2000) -> int:
    """Compare each row of the audited models (settings.AUDIT_ROW_MODELS) with the row digest of its subject's last
    event. A row changed outside the services (an edited fine amount, a deleted party) no longer matches; rows
    whose last event predates row digests are not covered yet."""
    checked = 0
    for subject_type in sorted({label.strip().lower() for label in settings.AUDIT_ROW_MODELS}):
        model = audited_model(subject_type)
        if model is None:
            continue
        last = _last_digests(subject_type)
        names = [f.attname for f in _digest_fields(model)]
        pk_name = model._meta.pk.attname
        ids = [k for k, v in last.items() if v]
        for i in range(0, len(ids), chunk_size):
            part = ids[i:i + chunk_size]
            found = {}
            try:
                for values in model._base_manager.filter(pk__in=part).values_list(pk_name, *names):
                    found[str(values[0])] = row_digest_of(model, values[1:])
            except (ValueError, TypeError, ValidationError):
                continue
            for subject_id in part:
                expected, actual = last[subject_id], found.get(subject_id, ROW_DELETED)
                checked += 1
                if expected != actual:
                    label = model._meta.verbose_name
                    if actual == ROW_DELETED:
                        problems.append(f"{label} {subject_id}（{subject_type}）已被删除，全过程记录中没有删除记录")
                    elif expected == ROW_DELETED:
                        problems.append(f"{label} {subject_id}（{subject_type}）在删除记录之后又出现")
                    else:
                        problems.append(f"{label} {subject_id}（{subject_type}）的当前数据与最后一条记录不符：数据在记录之外被改动")
    return checked


def _last_digests(subject_type: str) -> dict[str, str]:
    """{subject id: row digest of its last event} for one subject type (one grouped query on the subject index)."""
    table = Event._meta.db_table
    sql = (f"SELECT e.subject_id, e.row_digest FROM {table} e JOIN (SELECT subject_id, MAX(seq) AS last_seq FROM {table} "
           f"WHERE subject_type = %s GROUP BY subject_id) l ON e.seq = l.last_seq")
    with connection.cursor() as cur:
        cur.execute(sql, [subject_type])
        return dict(cur.fetchall())


# --- Checkpoints of the chain head, outside the database -----------------------------------------------------------

CHECKPOINT_FORMAT = "zhifa-audit-checkpoint/1"


def checkpoint_dir() -> Path:
    """settings.AUDIT_CHECKPOINT_DIR, or var/audit-checkpoints/<database name> (so a test or second database
    never compares against another database's checkpoints)."""
    if settings.AUDIT_CHECKPOINT_DIR:
        return Path(settings.AUDIT_CHECKPOINT_DIR)
    name = Path(str(connection.settings_dict["NAME"] or "default")).name
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)
    return Path(settings.VAR_DIR) / "audit-checkpoints" / safe


def _checkpoint_message(data: dict) -> str:
    return f"{data['format']}\n{data['seq']}\n{data['hash']}\n{data['created_at']}"


def checkpoint_write(*, now: datetime | None = None) -> dict:
    """Sign the current chain head and write it as a file outside the database (written whole, then renamed,
    so a reader never sees half a checkpoint). Returns the checkpoint."""
    head_seq, head_hash = head()
    when = (now or timezone.now()).astimezone(UTC)
    data = {"format": CHECKPOINT_FORMAT, "seq": head_seq, "hash": head_hash,
            "created_at": when.isoformat(timespec="microseconds")}
    data["key_id"], data["mac"] = sign("checkpoint", _checkpoint_message(data))
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{when:%Y%m%dT%H%M%S%fZ}-{data['seq']:012d}.json"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    data["path"] = str(path)
    return data


@dataclass
class Checkpoint:
    name: str
    seq: int = 0
    hash: str = ""
    created_at: str = ""
    valid: bool = False
    problem: str = ""


def checkpoint_list() -> list[Checkpoint]:
    """Every checkpoint file, oldest first, with its signature checked."""
    folder = checkpoint_dir()
    if not folder.is_dir():
        return []
    marks = []
    for path in sorted(folder.glob("*.json")):
        mark = Checkpoint(path.name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            mark.seq, mark.hash, mark.created_at = int(data["seq"]), str(data["hash"]), str(data["created_at"])
            if data.get("format") != CHECKPOINT_FORMAT:
                mark.problem = "格式不受支持"
            elif not check_signature("checkpoint", _checkpoint_message(data), data.get("key_id", ""), data.get("mac", "")):
                mark.problem = "签名无效（检查点被伪造或改动，或签名密钥未配置）"
            else:
                mark.valid = True
        except (OSError, ValueError, KeyError, TypeError):
            mark.problem = "无法读取"
        marks.append(mark)
    return marks


def checkpoint_latest() -> Checkpoint | None:
    valid = [m for m in checkpoint_list() if m.valid]
    return max(valid, key=lambda m: (m.seq, m.created_at)) if valid else None


PERSONAL_VIEW = "personal_data.view"


def log_personal_view(request, subject, *, person: str, what: str = "个人信息") -> Event:
    """Record that the signed-in user was shown a natural person's personal data (who looked at whom, through
    which page or endpoint) — an access record among the security measures of 个人信息保护法 Art. 51.

    Call it from detail pages and API details that show a person's identifying data unmasked (ID number,
    phone, address, a complainant's identity); lists show masked data and are not logged, so browsing does not
    flood the record. Its own transaction: a view changes nothing else."""
    via = "接口" if request.path.startswith("/api/") else "页面"
    with transaction.atomic():
        return record(
            actor=request.user, action=PERSONAL_VIEW, subject=subject,
            summary=f"通过{via}查看{what}：{person}",
            changes={"path": request.path[:200], "method": request.method},
        )


def history(subject) -> models.QuerySet:
    subject_type, subject_id, _ = subject_key(subject)
    return Event.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("seq")


# history()'s query for each kind of subject, compiled once per connection (a page that shows a record reads
# it at every visit).
_histories: dict[str, Compiled] = {}


def history_rows(subject) -> list[Event]:
    """:func:`history` as a list, read by a query compiled once per connection and kind of subject."""
    subject_type, subject_id, _ = subject_key(subject)
    compiled = _histories.get(subject_type)
    if compiled is None:
        compiled = _histories.setdefault(subject_type, Compiled(
            lambda value, kind=subject_type: Event.objects.filter(subject_type=kind, subject_id=value)
            .order_by("seq")))
    return compiled.all(subject_id)
