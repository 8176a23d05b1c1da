"""State changes of the credit app: credit events, grading, the serious-dishonesty list, publications and
credit repair. Each write checks role and jurisdiction and is recorded in the full-process record in the same
transaction. ``actor=None`` is a system process (another app's automatic step) and is recorded as 系统."""

import calendar
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.models import Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from . import selectors
from .models import (
    GRADE_ORDER,
    CreditEvent,
    CreditGrade,
    CreditPublication,
    CreditRuleSet,
    DishonestyEntry,
    Grade,
    GradeChange,
    RepairApplication,
)

CREDIT_ACTORS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
APPROVERS = (Role.HEAD, Role.ADMIN)

# Kinds that count as bad conduct (不良行为) for the D/C split of the score bands.
BAD_CONDUCT_KINDS = {CreditEvent.Kind.PENALTY, CreditEvent.Kind.FINDING_CASE, CreditEvent.Kind.OVERLOAD}


def _check_actor(actor, organisation, roles=CREDIT_ACTORS):
    if actor is None:
        return
    assert_role(actor, *roles)
    assert_in_jurisdiction(actor, organisation)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's end), as publication periods are counted."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- the credit-event ledger -------------------------------------------------------------------------------

def credit_event_record(*, actor, party: Party, kind: str, occurred_on: date, description: str, source_type: str,
                        source_id: str, warning_class: int | None = None, regrade: bool = True) -> CreditEvent:
    """Append a credit-relevant fact (idempotent per source and kind) and regrade the party. Other apps call this:
    cases for penalties, inspections for findings and warnings, complaints for substantiated complaints,
    overload for 一超四罚 events."""
    _check_actor(actor, party.organisation)
    existing = CreditEvent.objects.filter(source_type=source_type, source_id=str(source_id), kind=kind).first()
    if existing is not None:
        return existing
    bad = kind in BAD_CONDUCT_KINDS or (kind == CreditEvent.Kind.WARNING and warning_class == 3)
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = CreditEvent.objects.create(party=party, kind=kind, occurred_on=occurred_on, warning_class=warning_class,
                                                   bad_conduct=bad, description=description[:300], source_type=source_type,
                                                   source_id=str(source_id))
        except IntegrityError:
            return CreditEvent.objects.get(source_type=source_type, source_id=str(source_id), kind=kind)
        audit.record(actor=actor, action="credit.event_record", subject=event, after=audit.snapshot(event),
                     summary=f"记录信用事件：{party.name} {event.get_kind_display()}", organisation=party.organisation)
        if regrade:
            grade_compute(actor=actor, party=party, on=max(occurred_on, timezone.localdate()))
    return event


# --- grading ---------------------------------------------------------------------------------------------

def _band(rs: CreditRuleSet, score: int, bad: int) -> str:
    """Score bands of the rule set (one province's scheme, legal-reference §8)."""
    if score >= rs.aa_min:
        return Grade.AA
    if score >= rs.a_min:
        return Grade.A
    if score >= rs.b_min:
        return Grade.B
    if score >= rs.c_min:
        return Grade.B if bad < rs.bad_points_threshold else Grade.C
    return Grade.D if bad >= rs.bad_points_threshold else Grade.C


def grade_evaluate(party: Party, on: date) -> dict:
    """Compute (without saving) the grade of ``party`` on ``on`` and the reasons, from the rule set in force."""
    rs = selectors.rule_set_on(on)
    since = on - timedelta(days=rs.window_days - 1)
    events = list(CreditEvent.objects.filter(party=party, occurred_on__gte=since, occurred_on__lte=on))
    deductions, bad, reasons = 0, 0, []
    for e in events:
        pts = rs.points_for(e.kind, e.warning_class)
        deductions += pts
        if e.bad_conduct:
            bad += pts
        reasons.append(f"{e.occurred_on} {e.get_kind_display()}：{e.description}（扣{pts}分）")
    score = rs.base_score - deductions
    penalties = selectors.penalty_count(party.pk, since=since, until=on)
    # Penalties decided in the cases app but not mirrored in the ledger deduct like ledger penalties.
    unmirrored = penalties - sum(1 for e in events if e.kind == CreditEvent.Kind.PENALTY)
    if unmirrored > 0:
        score -= unmirrored * rs.penalty_points
        bad += unmirrored * rs.penalty_points
        reasons.append(f"办案系统中另有行政处罚决定{unmirrored}起（每起扣{rs.penalty_points}分）")
    # 一超四罚 triggers recorded by the overload app and not mirrored in the ledger count as bad conduct too.
    overload = selectors.overload_trigger_count(party.pk, since=since, until=on) - sum(1 for e in events if e.kind == CreditEvent.Kind.OVERLOAD)
    if overload > 0:
        score -= overload * rs.overload_points
        bad += overload * rs.overload_points
        reasons.append(f"一超四罚记录{overload}次（每次扣{rs.overload_points}分）")
    grade = _band(rs, score, bad)
    # Local rule (seed 004, 睢县): ≥ N penalties within the scoring window lowers the grade by one step.
    if rs.local_penalty_rule and penalties >= rs.local_penalty_count and grade != Grade.D:
        lowered = GRADE_ORDER[GRADE_ORDER.index(grade) + 1]
        reasons.append(f"近{rs.window_days}天内受到行政处罚{penalties}起（≥{rs.local_penalty_count}起），按本地规则由{grade}降为{lowered}")
        grade = lowered
    return {"rule_set": rs, "score": score, "bad_points": bad, "grade": str(grade), "penalties": penalties,
            "reasons": reasons or ["近期无扣分事件"]}


def grade_compute(*, actor, party: Party, on: date | None = None) -> CreditGrade:
    """Grade ``party`` now; a change of grade (or the first grade) appends a GradeChange with the reasons."""
    on = on or timezone.localdate()
    _check_actor(actor, party.organisation)
    result = grade_evaluate(party, on)
    with transaction.atomic():
        current = CreditGrade.objects.select_for_update().filter(party=party).first()
        before = audit.snapshot(current) if current else None
        old_grade = current.grade if current else ""
        values = {"grade": result["grade"], "score": result["score"], "bad_points": result["bad_points"],
                  "penalties_12m": result["penalties"], "rule_set": result["rule_set"], "computed_on": on,
                  "organisation": party.organisation}
        if current is None:
            current = CreditGrade.objects.create(party=party, **values)
        else:
            for k, v in values.items():
                setattr(current, k, v)
            current.save()
        if old_grade != current.grade:
            GradeChange.objects.create(party=party, from_grade=old_grade, to_grade=current.grade, score=current.score,
                                       bad_points=current.bad_points, reasons=result["reasons"], rule_set=result["rule_set"],
                                       changed_on=on, changed_by=actor)
            audit.record(actor=actor, action="credit.grade_change", subject=current, before=before, after=audit.snapshot(current),
                         summary=f"{party.name} 信用等级 {old_grade or '—'} → {current.grade}", organisation=party.organisation)
    return current


def grades_recompute(*, actor, organisation: Organisation, on: date | None = None) -> int:
    """Regrade every firm of ``organisation``'s subtree; returns how many grades changed."""
    on = on or timezone.localdate()
    _check_actor(actor, organisation)
    from zhifa.core.models import TransportCompany

    changed = 0
    for company in TransportCompany.objects.filter(organisation__path__startswith=organisation.path).select_related("party__organisation"):
        before = CreditGrade.objects.filter(party=company.party).values_list("grade", flat=True).first()
        if grade_compute(actor=actor, party=company.party, on=on).grade != before:
            changed += 1
    return changed


# --- serious-dishonesty list -------------------------------------------------------------------------------

def dishonesty_list_add(*, actor, party: Party, reason: str, basis: str, source: str, joint_punishment: str = "",
                        on: date | None = None) -> DishonestyEntry:
    """Put ``party`` on the serious-dishonesty list. Called by officers and by other apps (e.g. overload's 一超四罚
    with ``actor=None``). A party already listed keeps its entry: that entry is returned and nothing is added."""
    _check_actor(actor, party.organisation)
    if not reason.strip() or not basis.strip():
        raise DomainError("reason_required", "列入严重失信主体名单须写明事由和依据。")
    active = DishonestyEntry.objects.filter(party=party, status=DishonestyEntry.Status.LISTED).first()
    if active is not None:
        return active
    with transaction.atomic():
        entry = DishonestyEntry.objects.create(
            party=party, organisation=party.organisation, reason=reason, basis=basis, source=source,
            joint_punishment=joint_punishment or "限制参与政府采购和招投标；列为重点监管对象，提高抽查比例和频次；限制享受便利措施。",
            listed_on=on or timezone.localdate(), listed_by=actor)
        audit.record(actor=actor, action="credit.dishonesty_add", subject=entry, after=audit.snapshot(entry),
                     summary=f"{party.name} 列入严重失信主体名单：{reason}", organisation=party.organisation)
    return entry


def dishonesty_list_remove(*, actor, entry: DishonestyEntry, reason: str, on: date | None = None) -> DishonestyEntry:
    """Take a party off the list (repair or period expired); the exit and its reason are recorded."""
    _check_actor(actor, entry.organisation, APPROVERS)
    if not reason.strip():
        raise DomainError("reason_required", "移出名单须写明原因。")
    with transaction.atomic():
        before = audit.snapshot(entry)
        n = DishonestyEntry.objects.filter(pk=entry.pk, status=DishonestyEntry.Status.LISTED).update(
            status=DishonestyEntry.Status.REMOVED, removed_on=on or timezone.localdate(), removal_reason=reason)
        if n != 1:
            raise TransitionNotAllowed("not_listed", "该主体已不在名单中。")
        entry.refresh_from_db()
        audit.record(actor=actor, action="credit.dishonesty_remove", subject=entry, before=before, after=audit.snapshot(entry),
                     summary=f"{entry.party.name} 移出严重失信主体名单：{reason}", organisation=entry.organisation)
    return entry


# --- publications and credit repair ------------------------------------------------------------------------

def publication_create(*, actor, party: Party, decision_number: str, decision_date: date, summary: str,
                       severity: str = "general", special_field: bool = False, penalty_performed: bool = False,
                       performed_on: date | None = None, source_type: str = "", source_id: str = "") -> CreditPublication:
    """Publish adverse penalty information about ``party`` (行政处罚信息公示)."""
    _check_actor(actor, party.organisation)
    with transaction.atomic():
        pub = CreditPublication.objects.create(party=party, organisation=party.organisation, decision_number=decision_number,
                                               decision_date=decision_date, summary=summary, severity=severity,
                                               special_field=special_field, penalty_performed=penalty_performed,
                                               performed_on=performed_on, source_type=source_type, source_id=str(source_id))
        audit.record(actor=actor, action="credit.publication_create", subject=pub, after=audit.snapshot(pub),
                     summary=f"公示{party.name}行政处罚信息 {decision_number}", organisation=party.organisation)
    return pub


def publication_mark_performed(*, actor, publication: CreditPublication, performed_on: date) -> CreditPublication:
    """Record that the penalty has been fully performed (fine paid, measures carried out)."""
    _check_actor(actor, publication.organisation)
    with transaction.atomic():
        before = audit.snapshot(publication)
        CreditPublication.objects.filter(pk=publication.pk).update(penalty_performed=True, performed_on=performed_on)
        publication.refresh_from_db()
        audit.record(actor=actor, action="credit.publication_performed", subject=publication, before=before,
                     after=audit.snapshot(publication), summary=f"{publication.decision_number} 处罚已履行完毕", organisation=publication.organisation)
    return publication


def repair_checks(publication: CreditPublication, *, on: date, commitment_signed: bool) -> tuple[object, list[dict]]:
    """The automatic checks of a repair application under the regime in force on ``on``: minimum publication
    period served (counted from the decision date), penalty fully performed, credit commitment signed
    (NDRC Order No. 58 (2023); 《信用修复管理办法》 (2026-04-01) tiers 轻微/一般/严重)."""
    regime = selectors.regime_on(on)
    period = selectors.repair_period(regime, publication)
    earliest = add_months(publication.decision_date, period.min_months)
    checks = [
        {"code": "min_period", "label": "最短公示期已满", "ok": on >= earliest,
         "detail": f"{regime.name}：{publication.get_severity_display() if regime.code != 'ndrc2023' else '行政处罚信息'}"
                   f"最短公示期{period.min_months}个月，自{publication.decision_date}起算，{earliest}起可申请"},
        {"code": "performed", "label": "行政处罚已履行完毕", "ok": publication.penalty_performed,
         "detail": f"履行完毕日期：{publication.performed_on}" if publication.penalty_performed else "尚未履行完毕（罚款未缴清或责令事项未完成）"},
        {"code": "commitment", "label": "已作出信用承诺", "ok": bool(commitment_signed),
         "detail": "已签署信用承诺书" if commitment_signed else "未签署信用承诺书"},
    ]
    return regime, checks


def repair_apply(*, actor, publication: CreditPublication, applicant_name: str, channel: str, commitment_signed: bool,
                 commitment_text: str = "", applicant_phone: str = "", on: date | None = None) -> RepairApplication:
    """Receive a credit-repair application and run the automatic checks. The application is always recorded;
    when a check fails it is refused (不予受理) with the failing checks and the publication stays."""
    on = on or timezone.localdate()
    if channel == RepairApplication.Channel.OFFICER:
        if actor is None:
            raise DomainError("actor_required", "窗口代办须由执法人员办理。")
        _check_actor(actor, publication.organisation)
    if publication.status != CreditPublication.Status.PUBLISHED:
        raise DomainError("not_published", "该信息已不在公示中，无需修复。")
    if RepairApplication.objects.filter(publication=publication, status__in=[RepairApplication.Status.SUBMITTED, RepairApplication.Status.CHECKED]).exists():
        raise DomainError("pending_exists", "该信息已有正在办理的修复申请。")
    if not applicant_name.strip():
        raise DomainError("applicant_required", "请填写申请人。")
    regime, checks = repair_checks(publication, on=on, commitment_signed=commitment_signed)
    status = RepairApplication.Status.CHECKED if all(c["ok"] for c in checks) else RepairApplication.Status.CHECKS_FAILED
    with transaction.atomic():
        app = RepairApplication.objects.create(publication=publication, channel=channel, applicant_name=applicant_name,
                                               applicant_phone=applicant_phone, commitment_signed=commitment_signed,
                                               commitment_text=commitment_text, applied_on=on, regime=regime, checks=checks,
                                               status=status, submitted_by=actor if channel == RepairApplication.Channel.OFFICER else None)
        failed = "、".join(c["label"] for c in checks if not c["ok"])
        audit.record(actor=actor, action="credit.repair_apply", subject=app, after=audit.snapshot(app),
                     summary=f"{publication.party.name} 申请信用修复（{regime.code}）" + (f"：不予受理，未满足 {failed}" if failed else "：自动核查通过"),
                     organisation=publication.organisation)
    return app


def repair_decide(*, actor, application: RepairApplication, approve: bool, note: str = "", on: date | None = None) -> RepairApplication:
    """Approve (and withdraw the publication) or reject a checked application."""
    on = on or timezone.localdate()
    _check_actor(actor, application.organisation, APPROVERS)
    if not approve and not note.strip():
        raise DomainError("reason_required", "不予修复须说明理由。")
    new = RepairApplication.Status.APPROVED if approve else RepairApplication.Status.REJECTED
    with transaction.atomic():
        before = audit.snapshot(application)
        n = RepairApplication.objects.filter(pk=application.pk, status=RepairApplication.Status.CHECKED).update(
            status=new, decided_on=on, decided_by=actor, decision_note=note)
        if n != 1:
            raise TransitionNotAllowed("not_checked", "只有通过自动核查、待审批的申请可以审批。")
        application.refresh_from_db()
        pub = application.publication
        if approve:
            CreditPublication.objects.filter(pk=pub.pk, status=CreditPublication.Status.PUBLISHED).update(
                status=CreditPublication.Status.WITHDRAWN, withdrawn_on=on)
        audit.record(actor=actor, action="credit.repair_decide", subject=application, before=before, after=audit.snapshot(application),
                     summary=f"{pub.party.name} 信用修复{'通过，撤下公示' if approve else '不予修复'}", organisation=pub.organisation)
    return application
