"""The transactional outbox (one mechanism for everything the product sends to another system).

``outbox_enqueue`` is called by the service that makes a reportable change, inside its transaction: the change and
the message commit together or not at all. ``deliver_due`` (the Celery task ``integrations.drain``) claims one due
message at a time with a conditional UPDATE that must touch one row, posts it through the target's adapter and
records the try. Order per subject: a message is not claimed while an earlier message of the same target and
subject is open (pending, sending, rejected or dead). A claimed message whose lease expired (the worker died) is
claimed again; the receiver de-duplicates by the idempotency key, so it is recorded there once.
"""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from . import client
from .models import Attempt, Message, Target

log = logging.getLogger(__name__)
M = Message.Status
RESEND_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def endpoint(target: str) -> tuple[str, str] | None:
    """(base URL, signing secret) of a target, or None when no receiver is configured (messages wait)."""
    from .adapters import ADAPTERS

    if ADAPTERS[target].local:  # e-mail and SMS: sent by the adapter itself, always there
        return ("local:", "")
    conf = settings.INTEGRATION_ENDPOINTS.get(target) or {}
    url = conf.get("url") or settings.INTEGRATION_SIMULATOR_URL
    return (url.rstrip("/"), conf.get("secret", "")) if url else None


def backoff(attempts: int) -> timedelta:
    """Exponential: base × 2^(n−1), capped (after 1 try 30 s, then 1, 2, 4 … minutes up to the cap)."""
    seconds = settings.INTEGRATION_BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.INTEGRATION_BACKOFF_MAX))


def outbox_enqueue(*, target: str, subject, kind: str, payload: dict, idempotency_key: str, organisation=None) -> Message:
    """Write one outgoing message in the caller's transaction. The same key twice returns the first message (a
    repeated act reports once)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue() must be called inside the transaction of the change it reports")
    if target not in Target.values:
        raise ValueError(f"unknown target {target!r}")
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    subject_type, subject_id, label = audit.subject_key(subject)
    message = Message.objects.create(
        target=target, kind=kind, subject_type=subject_type, subject_id=subject_id, subject_label=label,
        organisation=organisation, idempotency_key=idempotency_key, payload=audit.to_jsonable(payload),
        next_attempt_at=timezone.now())
    audit.record(actor=None, action="outbox.enqueue", subject=message, organisation=organisation,
                 summary=f"登记报送{Target(target).label}：{kind_label(kind)} {label}")
    transaction.on_commit(lambda: schedule(target))
    return message


def outbox_enqueue_many(*, target: str, kind: str, items: list[dict], summary: str, organisation=None) -> int:
    """Write many messages of one target and kind in the caller's transaction (a bulk act: an ingest's violations
    for 四级联网): one INSERT per 1,000 messages and one full-process event for the lot instead of one each. Each
    item: ``subject`` (an object or (type, id, label)), ``payload``, ``idempotency_key``, optional ``organisation``
    and ``kind`` (else ``kind``).
    Keys already in the outbox are skipped (the act repeated reports once). Returns how many were written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue_many() must be called inside the transaction of the change it reports")
    if target not in Target.values:
        raise ValueError(f"unknown target {target!r}")
    keys = [item["idempotency_key"] for item in items]
    seen = set()
    for i in range(0, len(keys), 1000):
        seen |= set(Message.objects.filter(idempotency_key__in=keys[i:i + 1000]).values_list("idempotency_key", flat=True))
    now = timezone.now()
    rows = []
    for item in items:
        key = item["idempotency_key"]
        if key in seen:
            continue
        seen.add(key)
        subject_type, subject_id, label = audit.subject_key(item["subject"])
        rows.append(Message(target=target, kind=item.get("kind", kind), subject_type=subject_type, subject_id=subject_id, subject_label=label,
                            organisation=item.get("organisation", organisation), idempotency_key=key,
                            payload=audit.to_jsonable(item["payload"]), next_attempt_at=now))
    if not rows:
        return 0
    Message.objects.bulk_create(rows, batch_size=1000)
    if _audited(target):
        audit.record(actor=None, action="outbox.enqueue", subject=("integrations.batch", f"{target}:{kind}:{rows[0].idempotency_key}",
                     f"{Target(target).label}批量报送"), organisation=organisation, changes={"count": len(rows), "first_key": rows[0].idempotency_key,
                     "last_key": rows[-1].idempotency_key},
                     summary=f"登记报送{Target(target).label}：{kind_label(kind)} {len(rows)}条（{summary}）"[:500])
    transaction.on_commit(lambda: schedule(target))
    return len(rows)


def schedule(target: str | None = None) -> None:
    """Queue a drain after commit (eager in the embedded default); nothing to do while no receiver is configured."""
    if target is not None and endpoint(target) is None:
        return
    from .tasks import drain

    drain.delay(target)


def kind_label(kind: str) -> str:
    from .adapters import KIND_LABELS

    return KIND_LABELS.get(kind, kind)


def _due(now, target: str | None):
    qs = Message.objects.filter(Q(status=M.PENDING, next_attempt_at__lte=now) | Q(status=M.SENDING, lease_until__lt=now))
    return qs.filter(target=target) if target else qs


def _first_open(messages: list[Message]) -> dict[tuple, int]:
    """{(target, subject_type, subject_id): pk of its earliest open message} for the subjects of a batch (one query)."""
    if not messages:
        return {}
    # On the subject index (target, subject_type, subject_id): by subject id alone the query read every open
    # message of the outbox for each batch (0.4 s a batch with 380,000 queued: a province-day drain took 11 min).
    subjects: dict[tuple, set] = {}
    for m in messages:
        subjects.setdefault((m.target, m.subject_type), set()).add(m.subject_id)
    match = Q()
    for (target, subject_type), ids in subjects.items():
        match |= Q(target=target, subject_type=subject_type, subject_id__in=ids)
    rows = (Message.objects.filter(match, status__in=Message.OPEN)
            .values("target", "subject_type", "subject_id").annotate(first=Min("pk")))
    return {(r["target"], r["subject_type"], r["subject_id"]): r["first"] for r in rows}


def _blocked(message: Message) -> bool:
    """An earlier message of the same target and subject is still open: this one waits (order per subject)."""
    return Message.objects.filter(target=message.target, subject_type=message.subject_type, subject_id=message.subject_id,
                                  pk__lt=message.pk, status__in=Message.OPEN).exists()


def claim(message: Message, now) -> bool:
    """Conditional UPDATE on the state we read: exactly one worker wins the message."""
    lease = now + timedelta(seconds=settings.INTEGRATION_LEASE_SECONDS)
    token = uuid.uuid4().hex
    touched = (Message.objects.filter(pk=message.pk, status=message.status, attempts=message.attempts)
               .filter(Q(status=M.PENDING) | Q(lease_until__lt=now))
               .update(status=M.SENDING, lease_until=lease, attempts=F("attempts") + 1, claim_token=token))
    if touched == 1:
        message.status, message.lease_until, message.attempts, message.claim_token = M.SENDING, lease, message.attempts + 1, token
    return touched == 1


def claim_batch(messages: list[Message], now) -> list[Message]:
    """Claim a batch with one conditional UPDATE (pending, or sending with an expired lease) under a fresh token,
    and read back the rows this token won: each message is won by exactly one worker. On PostgreSQL the candidate
    rows are locked first with SKIP LOCKED, so concurrent workers take disjoint sets instead of queueing on the
    same rows. Call inside a transaction."""
    if not messages:
        return []
    lease = now + timedelta(seconds=settings.INTEGRATION_LEASE_SECONDS)
    token = uuid.uuid4().hex
    claimable = Q(status=M.PENDING) | Q(status=M.SENDING, lease_until__lt=now)
    ids = [m.pk for m in messages]
    if connection.features.has_select_for_update_skip_locked:
        ids = list(Message.objects.select_for_update(skip_locked=True).filter(claimable, pk__in=ids).values_list("pk", flat=True))
    if not ids:
        return []
    Message.objects.filter(claimable, pk__in=ids).update(status=M.SENDING, lease_until=lease, attempts=F("attempts") + 1,
                                                        claim_token=token)
    won = dict(Message.objects.filter(pk__in=ids, claim_token=token).values_list("pk", "attempts"))
    claimed = []
    for m in messages:
        if m.pk in won:
            m.status, m.lease_until, m.attempts, m.claim_token = M.SENDING, lease, won[m.pk], token
            claimed.append(m)
    return claimed


def deliver_one(message: Message, *, now=None) -> str | None:
    """Claim, post and record one message. Returns the new status, or None when not claimed (another worker, a
    blocked subject or no receiver)."""
    now = now or timezone.now()
    if endpoint(message.target) is None or _blocked(message) or not claim(message, now):
        return None
    ready, bodies = _prepare([message], now)
    if not ready:
        return M.PENDING
    return _finish([(message, _post(message, bodies.get(message.pk)))], started=now)[message.pk]


def _post(message: Message, body: dict | None = None) -> client.Result:
    """Post one message: ``body`` is what its adapter built at delivery (files attached, Adapter.outgoing),
    else the stored payload goes."""
    from .adapters import ADAPTERS

    adapter = ADAPTERS[message.target]
    if adapter.local:
        started = timezone.now()
        result = adapter.send(message)
        result.duration_ms = int((timezone.now() - started).total_seconds() * 1000)
        return result
    url, secret = endpoint(message.target)
    return client.post(url + ADAPTERS[message.target].path(message.kind),
                       message.payload if body is None else body, secret=secret, headers={
        "Idempotency-Key": message.idempotency_key, "X-Zhifa-Target": message.target, "X-Zhifa-Kind": message.kind})


def _outcome_fields(message: Message, result: client.Result) -> tuple[dict, str]:
    n, label = message.attempts, Target(message.target).label
    if result.outcome in (Attempt.Outcome.ACCEPTED, Attempt.Outcome.DUPLICATE):
        return ({"status": M.ACKNOWLEDGED, "acknowledged_at": timezone.now(), "receiver_reference": result.reference,
                 "last_error": "", "lease_until": None}, "")
    if result.outcome == Attempt.Outcome.REJECTED:
        return {"status": M.REJECTED, "last_error": result.reason, "lease_until": None}, f"{label}退回：{result.reason}"
    if n >= settings.INTEGRATION_MAX_ATTEMPTS:
        return ({"status": M.DEAD, "last_error": result.reason, "lease_until": None},
                f"{label}连续{n}次发送失败，停止重试：{result.reason}")
    # A retry is recorded as an Attempt only; the full-process record holds the state changes.
    return {"status": M.PENDING, "last_error": result.reason, "lease_until": None,
            "next_attempt_at": timezone.now() + backoff(n)}, ""


def _finish(done: list[tuple[Message, client.Result]], *, started) -> dict[int, str]:
    """Record the tries of a batch in one transaction: an Attempt each, the state change on the condition that our
    claim still holds (same attempt number: a worker whose lease expired does not overwrite the next one), an
    event per rejection or dead letter and one event for the batch's acknowledgements."""
    statuses: dict[int, str] = {}
    acks: list[tuple[Message, client.Result]] = []
    with transaction.atomic():
        _insert_attempts(done, started)
        for m, r in done:
            fields, summary = _outcome_fields(m, r)
            if fields["status"] == M.ACKNOWLEDGED:
                acks.append((m, r))
                continue
            if Message.objects.filter(pk=m.pk, status=M.SENDING, claim_token=m.claim_token).update(**fields) != 1:
                statuses[m.pk] = M.SENDING
                continue
            for name, value in fields.items():
                setattr(m, name, value)
            statuses[m.pk] = fields["status"]
            if summary and _audited(m.target):
                audit.record(actor=None, action=f"outbox.{fields['status']}", subject=m, summary=summary[:500],
                             organisation=m.organisation)
        if acks:
            statuses.update(_acknowledge(acks))
    return statuses


def _insert_attempts(done: list[tuple[Message, client.Result]], started) -> None:
    """The Attempt rows of a batch as one prepared INSERT executed per row (executemany): the ORM's bulk_create
    prepared every field of every row in Python (a third of the drain's CPU per message)."""
    table = connection.ops.quote_name(Attempt._meta.db_table)
    columns = ("message_id", "number", "started_at", "duration_ms", "outcome", "http_status", "reason",
               "receiver_reference")
    when = Attempt._meta.get_field("started_at").get_db_prep_save(started, connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            [(m.pk, m.attempts, when, r.duration_ms, r.outcome, r.http_status, r.reason[:500], r.reference[:80])
             for m, r in done])


def _acknowledge(acks: list[tuple[Message, client.Result]]) -> dict[int, str]:
    """The acknowledgements of a batch as one prepared UPDATE executed for every row (executemany), each on the
    condition that our claim still holds (status sending, our claim token), each with its receiver reference."""
    now = timezone.now()
    when = Message._meta.get_field("acknowledged_at").get_db_prep_save(now, connection)
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, acknowledged_at = %s, last_error = '', lease_until = NULL, "
            "receiver_reference = %s WHERE id = %s AND status = %s AND claim_token = %s",
            [(M.ACKNOWLEDGED, when, r.reference[:80], m.pk, M.SENDING, m.claim_token) for m, r in acks])
    done = set(Message.objects.filter(pk__in=[m.pk for m, _ in acks], status=M.ACKNOWLEDGED,
                                      claim_token__in={m.claim_token for m, _ in acks}).values_list("pk", flat=True))
    acked = []
    for m, r in acks:
        if m.pk in done:
            m.status, m.acknowledged_at, m.receiver_reference, m.lease_until = M.ACKNOWLEDGED, now, r.reference, None
            acked.append(m)
    if acked:
        _record_acknowledged(acked)
        _run_hooks(acked)
    return {m.pk: (M.ACKNOWLEDGED if m.pk in done else M.SENDING) for m, _ in acks}


def _run_hooks(acked: list[Message]) -> None:
    """The adapters' follow-up of an acknowledgement (Adapter.on_acknowledged: the 缴款码's notice), each
    message in a savepoint of its own. A follow-up that fails (a code the finance system answered that cannot
    be used) is rolled back alone and recorded with its reason; the message stays acknowledged (the receiver
    did accept it) and the batch's other acknowledgements and tries stand. Before, the failure rolled back the
    whole batch: its messages, already posted, were posted again by every drain, the oldest holding up all."""
    from .adapters import ADAPTERS, Adapter

    for m in acked:
        adapter = ADAPTERS[m.target]
        if type(adapter).on_acknowledged is Adapter.on_acknowledged:
            continue  # no follow-up: no savepoint either (the drain's hot path)
        try:
            with transaction.atomic():
                adapter.on_acknowledged([m])
        except Exception as exc:  # noqa: BLE001 — any failure of the follow-up is recorded, never re-raised
            reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
            log.warning("outbox: follow-up of message %s (%s) failed: %s", m.pk, m.idempotency_key, reason,
                        exc_info=not isinstance(exc, DomainError))
            # On the message's record (the case), where its officers look; the message's id in the changes.
            audit.record(actor=None, action="outbox.hook_failed", organisation=m.organisation,
                         subject=(m.subject_type, m.subject_id, m.subject_label),
                         changes={"message": m.pk, "kind": m.kind, "reason": reason[:300],
                                  "code": getattr(exc, "code", type(exc).__name__),
                                  "receiver_reference": m.receiver_reference},
                         summary=adapter.follow_up_failed(m, reason)[:500])


def _audited(target: str) -> bool:
    from .adapters import ADAPTERS

    return ADAPTERS[target].audited


def _record_acknowledged(acked: list[Message]) -> None:
    """One event for the acknowledgements of a batch (per target): which messages, the receiver's references."""
    by_target: dict[str, list[Message]] = {}
    for m in acked:
        if not _audited(m.target):
            continue
        by_target.setdefault(m.target, []).append(m)
    for target, items in by_target.items():
        ids = [m.pk for m in items]
        refs = "、".join(f"{m.subject_label or m.subject_id}（{m.receiver_reference or '无编号'}）" for m in items[:20])
        more = f"等{len(items)}条" if len(items) > 20 else ""
        audit.record(actor=None, action="outbox.acknowledged", subject=("integrations.delivery", f"{target}:{ids[0]}-{ids[-1]}",
                     f"{Target(target).label}确认接收"), changes={"messages": ids},
                     summary=f"{Target(target).label}已确认接收{len(items)}条报送：{refs}{more}"[:500])


def _release(message: Message) -> None:
    """Give back a claim not used (the receiver went down in this batch): no try was made, none is counted."""
    Message.objects.filter(pk=message.pk, status=M.SENDING, claim_token=message.claim_token).update(
        status=M.PENDING, attempts=F("attempts") - 1, lease_until=None)


def _prepare(claimed: list[Message], now) -> tuple[list[Message], dict[int, dict]]:
    """Let each adapter build the bodies it sends differently from the stored payload (Adapter.outgoing, in this
    thread); a message it defers goes back to 待发送 without a try counted. Returns the messages to post and
    {message pk: the body to post instead of its payload}."""
    from .adapters import ADAPTERS, Defer

    by_target: dict[str, list[Message]] = {}
    for m in claimed:
        by_target.setdefault(m.target, []).append(m)
    ready: list[Message] = []
    outgoing: dict[int, dict] = {}
    for target, items in by_target.items():
        bodies = ADAPTERS[target].outgoing(items, now)
        for m in items:
            body = bodies.get(m.pk)
            if isinstance(body, Defer):
                Message.objects.filter(pk=m.pk, status=M.SENDING, claim_token=m.claim_token).update(
                    status=M.PENDING, attempts=F("attempts") - 1, lease_until=None, last_error=body.reason,
                    next_attempt_at=now + timedelta(seconds=body.seconds))
                continue
            if body is not None:
                outgoing[m.pk] = body
            ready.append(m)
    return ready, outgoing


_pool: ThreadPoolExecutor | None = None


def _post_batch(claimed: list[Message], down: set[str], probed: set[str] | None = None,
                bodies: dict[int, dict] | None = None) -> list[tuple[Message, client.Result]]:
    """Post a batch: the first message of each target not yet heard from in this drain alone (a probe), then the
    rest concurrently (INTEGRATION_CONCURRENCY; the batch holds one message per subject, so order per subject is
    kept). A target whose probe failed is down: the rest of its messages are released, not tried (each would spend a
    timeout now, and a request that triggered the drain is not held up); a worker whose post fails stops posting to
    that target and gives the rest of its share back the same way. ``bodies``: the adapters' own bodies
    (_prepare)."""
    global _pool
    bodies = bodies or {}
    done, rest = [], []
    probed = set() if probed is None else probed
    for m in claimed:
        if m.target in down:
            _release(m)
        elif m.target not in probed:
            probed.add(m.target)
            result = _post(m, bodies.get(m.pk))
            done.append((m, result))
            if result.outcome in (Attempt.Outcome.ERROR, Attempt.Outcome.TIMEOUT):
                down.add(m.target)
        else:
            rest.append(m)
    for m in [m for m in rest if m.target in down]:
        _release(m)
    rest = [m for m in rest if m.target not in down]
    # A local transport uses the database (its Delivery rows): sent in this thread, on this connection.
    local_targets = {t for t in {m.target for m in rest} if endpoint(t)[0] == "local:"}
    done += [(m, _post(m, bodies.get(m.pk))) for m in rest if m.target in local_targets]
    rest = [m for m in rest if m.target not in local_targets]
    workers = min(settings.INTEGRATION_CONCURRENCY, len(rest))
    if workers > 1:
        if _pool is None or _pool._max_workers < workers:
            _pool = ThreadPoolExecutor(max_workers=settings.INTEGRATION_CONCURRENCY, thread_name_prefix="outbox-post")
        # One task per worker, each posting its share in turn on its kept-alive connection (a future per message
        # cost the drain more than the post's own bookkeeping).
        shares = [rest[i::workers] for i in range(workers)]
        mapped = _pool.map(_post_all, shares, [bodies] * workers)
        results = [r for share_results in mapped for r in share_results]
        rest = [m for share in shares for m in share]
    else:
        results = _post_all(rest, bodies)
    for m, result in zip(rest, results, strict=True):
        if result is None:  # not tried: its target failed earlier in this share
            _release(m)
            continue
        done.append((m, result))
        if result.outcome in (Attempt.Outcome.ERROR, Attempt.Outcome.TIMEOUT):
            down.add(m.target)
    return done


def _post_all(messages: list[Message], bodies: dict[int, dict]) -> list[client.Result | None]:
    """Post in turn; after a target's first error or timeout its remaining messages are not tried (None)."""
    failed: set[str] = set()
    results = []
    for m in messages:
        if m.target in failed:
            results.append(None)
            continue
        result = _post(m, bodies.get(m.pk))
        results.append(result)
        if result.outcome in (Attempt.Outcome.ERROR, Attempt.Outcome.TIMEOUT):
            failed.add(m.target)
    return results


def deliver_due(*, target: str | None = None, limit: int = 1000, batch: int = 200) -> dict:
    """Deliver due messages in ``pk`` order (the drain); returns counts by resulting status. Messages are claimed
    one by one (a conditional UPDATE each) in one transaction per batch, posted, and recorded per batch."""
    counts: dict[str, int] = {}
    now = timezone.now()
    down: set[str] = set()
    probed: set[str] = set()  # targets that answered a probe in this drain: not probed again per batch
    due = list(_due(now, target).order_by("pk")[:limit])
    for i in range(0, len(due), batch):
        chunk = due[i:i + batch]
        first = _first_open(chunk)
        eligible = []
        for m in chunk:
            # Order per subject: only the subject's earliest open message may go (a later one of this batch is held
            # back by the earlier one, which is open until acknowledged).
            if first.get((m.target, m.subject_type, m.subject_id), m.pk) < m.pk:
                continue
            if m.target not in down and endpoint(m.target) is not None:
                first[(m.target, m.subject_type, m.subject_id)] = -1  # taken: the subject's later ones wait
                eligible.append(m)
        with transaction.atomic():
            claimed = claim_batch(eligible, now)
        ready, bodies = _prepare(claimed, now)
        done = _post_batch(ready, down, probed, bodies)
        for status in _finish(done, started=now).values() if done else ():
            counts[status] = counts.get(status, 0) + 1
    return counts


def in_transaction() -> bool:
    """A transaction of ours is open (the test runner's own wrapping transaction does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def request_now(*, target: str, subject, kind: str, payload: dict, idempotency_key: str, organisation=None) -> Message:
    """A message whose answer the caller needs before its act (the finance system's 缴款码 for a notice that is
    printed in the act). Called **before** the act's transaction, like every delivery: the message is written and
    claimed in a transaction of its own (claim → commit), posted with no transaction open, and the try recorded in
    a new transaction. Returns the acknowledged message (the answer in ``receiver_reference``) or raises
    ``DomainError`` — the message stays, with its try, for the console and the drain's retries. Repeating the act
    sends the same idempotency key, so the receiver answers with what it issued the first time (nothing issued
    twice); a message already acknowledged is not sent again; one refused is sent again with the current data."""
    if in_transaction():
        raise RuntimeError("request_now() posts over HTTP: call it before the act's transaction, not inside it")
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.status == M.ACKNOWLEDGED:
        return existing
    label = Target(target).label
    if endpoint(target) is None:
        raise DomainError("no_receiver", f"未配置{label}接口地址，无法办理。", status=503)
    now = timezone.now()
    with transaction.atomic():  # claim → commit
        message = existing or outbox_enqueue(target=target, subject=subject, kind=kind, payload=payload,
                                             idempotency_key=idempotency_key, organisation=organisation)
        if message.status in (M.REJECTED, M.DEAD):  # the act repeated after a refusal: a new request, current data
            Message.objects.filter(pk=message.pk, status=message.status).update(
                status=M.PENDING, attempts=0, payload=audit.to_jsonable(payload), next_attempt_at=now, lease_until=None)
            message.refresh_from_db()
        if not claim(message, now):
            raise DomainError("request_busy", f"{label}请求正在处理中，请稍后重试。", status=409)
    ready, bodies = _prepare([message], now)  # the adapter's body at this instant (FeishuiAdapter.outgoing)
    if not ready:
        raise DomainError("receiver_unavailable", f"{label}请求暂不能发送：{message.last_error}，请稍后重试。", status=503)
    result = _post(message, bodies.get(message.pk))  # no transaction open: nothing is locked while the receiver answers
    _finish([(message, result)], started=now)  # the try and its outcome, in a new transaction
    message.refresh_from_db()
    if message.status != M.ACKNOWLEDGED:
        raise DomainError("receiver_refused" if message.status == M.REJECTED else "receiver_unavailable",
                          f"{label}未办理：{result.reason or message.get_status_display()}。请稍后重试。", status=502)
    return message


def drain_all(*, target: str | None = None, rounds: int = 100) -> dict:
    """Drain until nothing due is delivered any more (a subject's later message becomes due after its earlier one)."""
    total: dict[str, int] = {}
    for _ in range(rounds):
        counts = deliver_due(target=target)
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
        if not counts:
            break
    return total


def message_resend(*, actor, message: Message) -> Message:
    """Send a rejected or dead message again (人工重发). The payload is rebuilt from the record as it is now (after
    the correction); a changed payload gets a new idempotency key so the receiver does not answer "duplicate"."""
    from .adapters import ADAPTERS

    assert_role(actor, *RESEND_ROLES, message="只有系统管理员和法制监督人员可以重发报送。")
    if message.organisation is not None:
        assert_in_jurisdiction(actor, message.organisation)
    if message.status not in (M.REJECTED, M.DEAD):
        raise TransitionNotAllowed("not_resendable", "只有被退回或已停止重试的报送可以重发。")
    payload = ADAPTERS[message.target].rebuild(message)
    if payload is None:
        raise DomainError("subject_gone", "报送的原始记录已不存在，不能重发。")
    payload = audit.to_jsonable(payload)
    fields = {"status": M.PENDING, "attempts": 0, "next_attempt_at": timezone.now(), "lease_until": None,
              "resend_count": message.resend_count + 1}
    if payload != message.payload:
        base = message.idempotency_key.split("#r")[0]
        fields.update(payload=payload, idempotency_key=f"{base}#r{message.resend_count + 1}")
    with transaction.atomic():
        before = audit.snapshot(message, ["status", "idempotency_key", "last_error"])
        touched = Message.objects.filter(pk=message.pk, status=message.status, resend_count=message.resend_count).update(**fields)
        if touched != 1:
            raise TransitionNotAllowed("stale_status", "该报送已被他人处理，请刷新后重试。")
        message.refresh_from_db()
        audit.record(actor=actor, action="outbox.resend", subject=message, before=before,
                     after=audit.snapshot(message, ["status", "idempotency_key", "last_error"]),
                     summary=f"重发报送（{'内容已更新' if 'payload' in fields else '内容未变'}）：{message}"[:500],
                     organisation=message.organisation)
        transaction.on_commit(lambda: schedule(message.target))
    return message
