"""Publication (事后公开): publish decided records after de-identification, withdraw changed or revoked ones,
take down at the end of the publication period or after credit repair. Each change writes the full-process
record in the same transaction."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.identifiers import PLATE_IN_TEXT
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role
from zhifa.credit.models import CreditPublication
from zhifa.integrations import triggers

from . import pipeline, sources
from .deident import Deidentifier
from .models import Publication, PublicationRule, SeverityRule

P = Publication.Status
REVIEWERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


# A vehicle plate anywhere in a text (豫R·A1234, 豫RA1234, new-energy 豫RD12345, 挂/学 suffixes).
PLATE_REMOVED = "（号牌已删除）"


def build_public_text(record: sources.DecisionRecord, deident: Deidentifier) -> tuple[str, list, list[str]]:
    """(party as shown, [[label, text], …], flags) — only de-identified text leaves this function. A natural
    person's vehicle plate identifies the person as well as the name does (个人信息保护法 Art. 4), so every plate
    in a person's publication is removed; an organisation's plates stay."""
    persons = [record.party_name] if record.is_person else []
    if record.legal_representative:
        persons.append(record.legal_representative)
    secrets = [record.party_id_number, record.party_phone, record.party_address]
    party = deident.clean(record.party_name, persons=persons, secrets=secrets).text if record.is_person else record.party_name
    body, flags = [], []
    for label, text in record.sections:
        text = str(text or "")
        if record.is_person:
            text = PLATE_IN_TEXT.sub(PLATE_REMOVED, text)
        cleaned = deident.clean(text, persons=persons, secrets=secrets)
        body.append([label, cleaned.text])
        flags += [f"{label}：{f}" for f in cleaned.flags]
    if record.is_person:
        body.insert(0, ["当事人", party])
    else:
        code = record.party_credit_code
        body.insert(0, ["当事人", f"{party}（统一社会信用代码 {code}）" if code else party])
    return party, body, flags


def _publish(*, actor, publication: Publication, today: date, summary: str) -> None:
    publication.status = P.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_on = today
    # A publication after its legal deadline is kept and flagged, never hidden (国办发〔2018〕118号).
    publication.is_late = today > publication.due_on
    publication.save()
    audit.record(actor=actor, action="publication.publish", subject=publication, after=audit.snapshot(publication),
                 summary=summary + ("（逾期公开）" if publication.is_late else ""), organisation=publication.organisation)
    pipeline.credit_sync(publication)  # the credit publication follows the portal row (one pipeline)
    triggers.publication_changed(publication)  # 双公示 push through the outbox, in this transaction


def publication_create(*, record: sources.DecisionRecord, today: date, deident: Deidentifier | None = None) -> Publication | None:
    """Register a decided record: publish it at once, or hold it for review when a flag rule matched."""
    if record.changed_on is not None and record.changed_on <= today:
        return None  # changed or revoked before it was ever published: nothing to publish
    deident = deident or Deidentifier.load()
    rule = PublicationRule.in_force(record.kind, record.decided_on)
    due = legal_calendar.add_working_days(record.decided_on, rule.working_days)
    party, body, flags = build_public_text(record, deident)
    period = {"public_until": record.decided_on + timedelta(days=rule.public_days)}
    if record.kind == PublicationRule.Kind.PENALTY:
        # 公示期 by severity from the credit rules (2026 《信用修复管理办法》 tiers), counted in calendar months.
        severity = SeverityRule.classify(categories=record.categories, party_kind=record.party_kind, fine=record.fine, on=record.decided_on)
        until, published, _ = pipeline.publicity_period(record.decided_on, severity)
        period = {"public_until": until, "severity": severity, "credit_published": published,
                  "penalty_until": record.penalty_until}
    with transaction.atomic():
        pub = Publication.objects.create(
            organisation=record.organisation, subject_type=record.subject_type, subject_id=record.subject_id, kind=record.kind,
            status=P.REVIEW, decision_number=record.decision_number, title=record.title, party_display=party, body=body,
            flags=flags, decided_on=record.decided_on, due_on=due.date, due_confirmed=due.confirmed, **period)
        if flags:
            audit.record(actor=None, action="publication.flag", subject=pub, after=audit.snapshot(pub),
                         summary=f"{pub.title} 去标识化后仍有疑似个人信息，待人工审核", organisation=pub.organisation)
        else:
            _publish(actor=None, publication=pub, today=today, summary=f"自动公开 {pub.title}")
    return pub


def publication_release(*, actor, publication: Publication, today: date, body: list | None = None) -> Publication:
    """An officer reviews a flagged publication (optionally correcting the text) and releases it."""
    assert_role(actor, *REVIEWERS)
    assert_in_jurisdiction(actor, publication.organisation)
    if publication.status != P.REVIEW:
        raise TransitionNotAllowed("not_in_review", "该信息不在待审核状态。")
    with transaction.atomic():
        locked = Publication.objects.select_for_update(no_key=True).get(pk=publication.pk)
        if locked.status != P.REVIEW:
            raise TransitionNotAllowed("stale_status", "该信息已被他人处理。")
        before = audit.snapshot(locked)
        if body is not None:
            deident = Deidentifier.load()
            body = [[label, deident.clean(text).text] for label, text in body]
            locked.body = body
        locked.reviewed_by = actor
        _publish(actor=actor, publication=locked, today=today, summary=f"审核后公开 {locked.title}")
        audit.record(actor=actor, action="publication.review", subject=locked, before=before, after=audit.snapshot(locked),
                     summary=f"审核去标识化内容：{len(locked.flags)} 处提示已核对", organisation=locked.organisation)
    return locked


def _take_down(*, actor, publication: Publication, status: str, today: date, reason: str, changed_on: date | None = None,
               withdraw_days: int | None = None) -> Publication:
    if publication.status not in (P.PUBLISHED, P.REVIEW):
        raise TransitionNotAllowed("not_public", "该信息当前未公开。")
    before = audit.snapshot(publication)
    with transaction.atomic():
        fields = {"status": status, "withdrawn_at": timezone.now(), "withdrawn_on": today, "withdraw_reason": reason[:200]}
        if changed_on is not None:
            # 行政处罚法 Art. 48: withdrawn within 3 (working) days of the change or revocation.
            due = legal_calendar.add_working_days(changed_on, withdraw_days or 3).date
            fields.update(changed_on=changed_on, withdraw_due=due, withdraw_late=today > due)
        touched = Publication.objects.filter(pk=publication.pk, status=publication.status).update(updated_at=timezone.now(), **fields)
        if touched != 1:
            raise TransitionNotAllowed("stale_status", "该信息已被他人处理。")
        publication.refresh_from_db()
        audit.record(actor=actor, action=f"publication.{status}", subject=publication, before=before, after=audit.snapshot(publication),
                     summary=f"撤下公开信息 {publication.title}：{reason}", organisation=publication.organisation)
        pipeline.credit_sync(publication)
        triggers.publication_changed(publication)  # the withdrawal message (双公示 撤回)
    return publication


def publication_withdraw(*, actor, publication: Publication, today: date, reason: str, changed_on: date | None = None) -> Publication:
    """Withdraw because the decision was changed or revoked (行政处罚法 Art. 48)."""
    if actor is not None:
        assert_role(actor, Role.HEAD, Role.ADMIN, Role.OFFICER)
        assert_in_jurisdiction(actor, publication.organisation)
    if not reason.strip():
        raise DomainError("reason_required", "撤回须说明原因。")
    rule = PublicationRule.in_force(publication.kind, publication.decided_on)
    return _take_down(actor=actor, publication=publication, status=P.WITHDRAWN, today=today, reason=reason,
                      changed_on=changed_on or today, withdraw_days=rule.withdraw_working_days)


def publication_take_down_repaired(*, actor, subject_type: str, subject_id: str, today: date, reason: str = "信用修复") -> Publication | None:
    """For the credit app: take a penalty off the portal after a successful credit repair."""
    pub = Publication.objects.filter(subject_type=subject_type, subject_id=str(subject_id), status__in=[P.PUBLISHED, P.REVIEW]).first()
    if pub is None:
        return None
    if actor is not None:
        assert_in_jurisdiction(actor, pub.organisation)
    return _take_down(actor=actor, publication=pub, status=P.REPAIRED, today=today, reason=reason)


def publication_sync_subject(*, subject_type: str, subject_id: str, today: date) -> Publication | None:
    """Bring one source record's publication up to date (publish a new decision, withdraw a revoked one)."""
    record = sources.record_for(subject_type, subject_id)
    pub = Publication.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).first()
    if record is None:
        return pub
    if pub is None:
        return publication_create(record=record, today=today)
    if record.changed_on is not None and pub.status in (P.PUBLISHED, P.REVIEW):
        return publication_withdraw(actor=None, publication=pub, today=today, changed_on=record.changed_on,
                                    reason=f"决定已变更或撤销{('：' + record.change_reason) if record.change_reason else ''}")
    return pub


def publication_run(*, today: date) -> dict:
    """The daily job: publish every decided record not yet registered, withdraw changed/revoked ones, take
    down those past their 公示截止期. Idempotent: running it twice changes nothing the second time."""
    deident = Deidentifier.load()
    existing = {(t, i): s for t, i, s in Publication.objects.values_list("subject_type", "subject_id", "status")}
    counts = {"published": 0, "review": 0, "withdrawn": 0, "expired": 0}
    for record in sources.all_records():
        status = existing.get((record.subject_type, record.subject_id))
        if status is None:
            pub = publication_create(record=record, today=today, deident=deident)
            if pub is not None:
                counts["published" if pub.status == P.PUBLISHED else "review"] += 1
        elif record.changed_on is not None and status in (P.PUBLISHED, P.REVIEW):
            publication_sync_subject(subject_type=record.subject_type, subject_id=record.subject_id, today=today)
            counts["withdrawn"] += 1
    for pub in Publication.objects.filter(status=P.PUBLISHED, public_until__lt=today):
        _take_down(actor=None, publication=pub, status=P.EXPIRED, today=today, reason="公示期满")
        counts["expired"] += 1
    counts["repaired"] = _take_down_repaired(today=today)
    counts["performed"] = pipeline.credit_performed_sync()
    return counts


def _take_down_repaired(*, today: date) -> int:
    """Publications whose adverse credit information the credit app withdrew after a repair (matched by the
    source record, or by decision number) leave the portal too."""
    repaired = CreditPublication.objects.filter(status="withdrawn").values_list("source_type", "source_id", "decision_number")
    by_subject = {(t, i) for t, i, _ in repaired if i}
    numbers = {n for _, _, n in repaired if n}
    n = 0
    for pub in Publication.objects.filter(status=P.PUBLISHED, kind=PublicationRule.Kind.PENALTY).exclude(decision_number="") | \
            Publication.objects.filter(status=P.PUBLISHED, subject_type__in={t for t, _ in by_subject}):
        if (pub.subject_type, pub.subject_id) in by_subject or (pub.kind == PublicationRule.Kind.PENALTY and pub.decision_number in numbers):
            _take_down(actor=None, publication=pub, status=P.REPAIRED, today=today, reason="信用修复")
            n += 1
    return n
