"""The full-process record (全过程记录, 行政处罚法 Art. 47): an append-only, hash-chained event log.

Services call :func:`record` inside their own transaction, so the change and its record commit together
or not at all. Each event's hash is SHA-256 over the previous hash and the event's canonical JSON form;
:func:`verify` walks the chain and reports the first broken link (edited, deleted, inserted or reordered
rows, or a truncated tail, which the separately kept head reveals).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from . import context
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
) -> Event:
    """Append one event. Must run inside the caller's transaction (the change and its record are atomic)."""
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
    # Lock the head row: appends are serialised so the chain never forks.
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    event = Event(
        seq=head.seq + 1,
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
        prev_hash=head.hash,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"全过程记录完整：共校验 {self.checked} 条，链头 #{self.head_seq} {self.head_hash[:16]}…"
        where = f"第 #{self.broken_seq} 条（id={self.broken_id}）" if self.broken_seq is not None else "链尾"
        return f"全过程记录校验失败：{where}：{self.reason}"


def verify(*, progress=None) -> VerifyResult:
    """Walk the whole chain in seq order and report the first broken link."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in Event.objects.order_by("seq").iterator(chunk_size=5000):
        if event.seq != expected_seq:
            reason = f"序号不连续（应为 {expected_seq}），有记录被删除或插入"
            return VerifyResult(False, checked, expected_seq - 1, prev_hash, event.seq, event.pk, reason)
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq - 1, prev_hash, event.seq, event.pk, "前一哈希不符，链条断裂")
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq - 1, prev_hash, event.seq, event.pk, "内容与哈希不符，记录被篡改")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        if progress and checked % 5000 == 0:
            progress(checked)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        reason = f"链头记录为 #{head_seq}，实际最后一条为 #{checked}：记录被截断或链头被改动"
        return VerifyResult(False, checked, checked, prev_hash, None, None, reason)
    return VerifyResult(True, checked, head_seq, head_hash)


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
