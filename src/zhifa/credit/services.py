"""State changes of the credit app: credit events, grading, the serious-dishonesty list, publications and
credit repair. Each write checks role and jurisdiction and is recorded in the full-process record in the same
transaction. ``actor=None`` is a system process (another app's automatic step) and is recorded as 系统."""

import calendar
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.models import Organisation, Party
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from . import selectors, workflow
from .models import (
    GRADE_ORDER,
    CreditEvent,
    CreditGrade,
    CreditPublication,
    CreditRuleSet,
    DishonestyCategory,
    DishonestyEntry,
    Grade,
    GradeChange,
    RepairApplication,
)
from .workflow import PUBLICATION_WORKFLOW, REPAIR_WORKFLOW, WORKFLOW

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
    return _grade_of(rs, on, events=events, penalties=selectors.penalty_count(party.pk, since=since, until=on),
                     triggers=selectors.overload_trigger_count(party.pk, since=since, until=on),
                     listing=selectors.listing_in_force(party.pk, on))


def _grade_of(rs: CreditRuleSet, on: date, *, events: list, penalties: int, triggers: int, listing) -> dict:
    """The grade and its reasons from what was read for one party: its ledger events in the scoring window (newest
    first), its penalty decisions and 一超四罚 triggers in the window and its listing in force on ``on``."""
    deductions, bad, reasons = 0, 0, []
    for e in events:
        pts = rs.points_for(e.kind, e.warning_class)
        deductions += pts
        if e.bad_conduct:
            bad += pts
        reasons.append(f"{e.occurred_on} {e.get_kind_display()}：{e.description}（扣{pts}分）")
    score = rs.base_score - deductions
    # Penalties decided in the cases app but not mirrored in the ledger deduct like ledger penalties.
    unmirrored = penalties - sum(1 for e in events if e.kind == CreditEvent.Kind.PENALTY)
    if unmirrored > 0:
        score -= unmirrored * rs.penalty_points
        bad += unmirrored * rs.penalty_points
        reasons.append(f"办案系统中另有行政处罚决定{unmirrored}起（每起扣{rs.penalty_points}分）")
    # 一超四罚 triggers recorded by the overload app and not mirrored in the ledger count as bad conduct too.
    overload = triggers - sum(1 for e in events if e.kind == CreditEvent.Kind.OVERLOAD)
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
    # The grade effect of the serious-dishonesty list is the rule set's (law as data): while listed, no grade
    # better than ``listed_max_grade``.
    cap = rs.listed_max_grade
    if listing is not None and cap and GRADE_ORDER.index(grade) < GRADE_ORDER.index(cap):
        reasons.append(f"列入严重失信主体名单（{listing.category.name if listing.category else listing.reason}，"
                       f"{listing.decision_number or '原系统列入'}"
                       f"{f'，至{listing.expires_on:%Y-%m-%d}' if listing.expires_on else ''}），"
                       f"按规则{rs.version}在列期间最高评为{cap}级，由{grade}降为{cap}")
        grade = cap
    return {"rule_set": rs, "score": score, "bad_points": bad, "grade": str(grade), "penalties": penalties,
            "reasons": reasons or ["近期无扣分事件"]}


def grade_compute(*, actor, party: Party, on: date | None = None) -> CreditGrade:
    """Grade ``party`` now; a change of grade (or the first grade) appends a GradeChange with the reasons."""
    on = on or timezone.localdate()
    _check_actor(actor, party.organisation)
    result = grade_evaluate(party, on)
    with transaction.atomic():
        current = CreditGrade.objects.select_for_update(no_key=True).filter(party=party).first()
        return _grade_store(actor=actor, party=party, on=on, result=result, current=current)


def _grade_store(*, actor, party: Party, on: date, result: dict, current: CreditGrade | None) -> CreditGrade:
    """Save ``result`` as the party's grade (``current``: its grade row, locked by the caller, or None)."""
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


RECOMPUTE_CHUNK = 200  # parties graded per transaction (and per set of bulk reads) by grades_recompute


def grades_recompute(*, actor, organisation: Organisation, on: date | None = None) -> int:
    """Regrade every firm of ``organisation``'s subtree; returns how many grades changed. The same grading as
    :func:`grade_compute`, party by party, with what it reads fetched for a chunk of parties at once (the rule set
    once; events, penalties, 一超四罚 triggers, listings and current grades in a few queries per chunk, not
    ten per firm)."""
    on = on or timezone.localdate()
    _check_actor(actor, organisation)
    from zhifa.core.models import TransportCompany

    parties = [c.party for c in TransportCompany.objects.filter(organisation__path__startswith=organisation.path)
               .select_related("party__organisation")]
    if not parties:
        return 0
    rs = selectors.rule_set_on(on)
    since = on - timedelta(days=rs.window_days - 1)
    changed = 0
    for start in range(0, len(parties), RECOMPUTE_CHUNK):
        chunk = parties[start:start + RECOMPUTE_CHUNK]
        ids = [p.pk for p in chunk]
        events: dict[int, list] = {}
        for e in CreditEvent.objects.filter(party_id__in=ids, occurred_on__gte=since, occurred_on__lte=on):
            events.setdefault(e.party_id, []).append(e)  # the model's order (newest first), as grade_evaluate reads
        penalties = selectors.penalty_counts(ids, since=since, until=on)
        listings = selectors.listings_in_force(ids, on)
        triggers = selectors.overload_trigger_counts(ids, since=since, until=on)
        with transaction.atomic():
            grades = {g.party_id: g for g in CreditGrade.objects.select_for_update(no_key=True).filter(party_id__in=ids)}
            for party in chunk:
                _check_actor(actor, party.organisation)
                current = grades.get(party.pk)
                before = current.grade if current else None
                result = _grade_of(rs, on, events=events.get(party.pk, []), penalties=penalties.get(party.pk, 0),
                                   triggers=triggers.get(party.pk, 0), listing=listings.get(party.pk))
                grades[party.pk] = _grade_store(actor=actor, party=party, on=on, result=result, current=current)
                if grades[party.pk].grade != before:
                    changed += 1
    return changed


# --- serious-dishonesty list (严重失信主体名单认定) -----------------------------------------------------------
# The procedure of 国办发〔2020〕49号 (八), step by step (``workflow.py``): proposal → prior notice (告知书) with the
# right to state and defend within the category's period → the head's decision (决定书, numbered) → listed for
# the category's term → exit on expiry or, after the minimum period, by credit repair. No step lists a party by
# itself: the only way onto the list is ``dishonesty_decide(list_party=True)``.

def _act_date(on: date | None, *, after: date | None, after_label: str) -> date:
    """The date of a step: given for an act done earlier (e.g. on paper), never in the future and never before
    the step it depends on."""
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise DomainError("date_in_future", f"办理日期{on:%Y-%m-%d}晚于今天，不能登记尚未发生的行为。")
    if after is not None and on < after:
        raise DomainError("date_before_previous_step", f"办理日期{on:%Y-%m-%d}早于{after_label}（{after:%Y-%m-%d}）。")
    return on


def _check_step(actor, action: str, organisation, entry: DishonestyEntry | None = None) -> workflow.Transition:
    """Jurisdiction, role (from the transition table) and — given ``entry`` — the state the step starts from."""
    return WORKFLOW.check(action, entry, actor, organisation=organisation)


def _dishonesty_move(entry: DishonestyEntry, action: str, actor, *, on: date, fields: dict | None = None,
                     note: str = "", summary: str) -> DishonestyEntry:
    """The workflow kernel's move: conditional UPDATE on the old status (exactly one row), the step row (with the
    date of the act) and the audit record."""
    return kernel.transition(WORKFLOW, entry, action, actor=actor, fields=fields, note=note, summary=summary,
                             step={"acted_on": on})


def _issue(entry: DishonestyEntry, kind: str, actor) -> str:
    """Issue the notice or the decision (documents app) inside the step's transaction: a listing never exists
    without its document, and a document that cannot be made (e.g. no numbering prefix) refuses the step."""
    from zhifa.documents.services import document_issue

    from .documents import document_context

    doc = document_issue(actor=actor, organisation=entry.organisation, kind=kind, subject=entry, context=document_context(entry, kind))
    return doc.number


def dishonesty_propose(*, actor, party: Party, category: DishonestyCategory, reason: str, facts: str = "",
                       source: str = DishonestyEntry.Source.OFFICER, source_ref: str = "", organisation: Organisation | None = None,
                       on: date | None = None) -> DishonestyEntry:
    """Propose listing ``party`` (拟列入). An officer, or the system for 一超四罚 (``actor=None``). The party is not
    listed by this: the notice and the head's decision follow. A party with an open procedure (proposed,
    notified or listed) gets no second one — a system caller gets the open one back, an officer is refused."""
    organisation = organisation or party.organisation
    _check_step(actor, "propose", organisation)
    if not reason.strip():
        raise DomainError("reason_required", "提出列入建议须写明事由。")
    on = _act_date(on, after=None, after_label="")
    if not category.active or category.effective_from > on:
        raise DomainError("category_inactive", f"名单类别“{category.name}”未启用或{on:%Y-%m-%d}尚未施行。")
    open_entry = DishonestyEntry.objects.filter(party=party, status__in=workflow.OPEN).first()
    if open_entry is not None:
        if actor is None:
            return open_entry
        raise DomainError("procedure_open", f"{party.name}已有名单认定程序（{open_entry.get_status_display()}），不能重复提出。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = DishonestyEntry.objects.create(
                    party=party, organisation=organisation, category=category, reason=reason.strip(), facts=facts.strip(),
                    basis=category.basis, source=source, source_ref=source_ref, joint_punishment=category.joint_punishment,
                    status=workflow.Status.PROPOSED, proposed_on=on, proposed_by=actor if getattr(actor, "pk", None) else None)
        except IntegrityError:  # a concurrent proposal for the same party won
            raise DomainError("procedure_open", f"{party.name}已有名单认定程序，不能重复提出。") from None
        kernel.created(WORKFLOW, entry, "propose", actor=actor, note=f"{entry.get_source_display()}：{reason.strip()}",
                       summary=f"提出将{party.name}列入严重失信主体名单的建议（{category.name}）：{reason.strip()}", step={"acted_on": on})
    return entry


def dishonesty_notify(*, actor, entry: DishonestyEntry, on: date | None = None) -> DishonestyEntry:
    """Serve the prior notice (告知书, numbered): the reasons, the basis, the proposed measures and the right to
    state and defend within the category's period, counted in working days from the notice (国办发〔2020〕49号 (八))."""
    _check_step(actor, "notify", entry.organisation, entry)
    on = _act_date(on, after=entry.proposed_on, after_label="提出列入建议的日期")
    due = legal_calendar.add_working_days(on, entry.category.statement_working_days)
    with transaction.atomic():
        DishonestyEntry.objects.filter(pk=entry.pk, status=workflow.Status.PROPOSED).update(
            notified_on=on, statement_due_on=due.date, statement_due_confirmed=due.confirmed)
        entry.refresh_from_db()
        number = _issue(entry, "dishonesty_notice", actor)
        entry = _dishonesty_move(entry, "notify", actor, on=on, fields={"notice_number": number},
                                 summary=f"向{entry.party.name}送达严重失信主体名单认定告知书 {number}，陈述申辩期限至{due.label}")
    return entry


def dishonesty_statement_record(*, actor, entry: DishonestyEntry, statement: str, on: date | None = None) -> DishonestyEntry:
    """Record the party's statement and defence (陈述申辩). One made after the period is still recorded (and
    marked late): the decision must then answer it too."""
    _check_step(actor, "state", entry.organisation, entry)
    if not statement.strip():
        raise DomainError("statement_required", "请填写当事人陈述申辩的内容。")
    on = _act_date(on, after=entry.notified_on, after_label="告知日期")
    late = entry.statement_due_on is not None and on > entry.statement_due_on
    text = statement.strip()
    with transaction.atomic():
        # Several submissions read as one statement in the decision; each keeps its date in its step.
        combined = f"{entry.statement}\n{text}" if entry.statement else text
        return _dishonesty_move(entry, "state", actor, on=on, fields={"statement": combined, "statement_on": on, "review_note": ""},
                                note=f"{'逾期提出：' if late else ''}{text}",
                                summary=f"记录{entry.party.name}的陈述申辩" + ("（逾期提出）" if late else ""))


def dishonesty_decide(*, actor, entry: DishonestyEntry, list_party: bool, review_note: str = "", reason: str = "",
                      on: date | None = None) -> DishonestyEntry:
    """The head's decision (负责人). Listing needs the notice served and either the statement period run out
    (the decision is taken from the day after the last day of the period) or the party's statement heard and
    answered in ``review_note``; it issues the numbered 决定书, starts the term and regrades the party. Not listing
    needs a reason and may also end a proposal before the notice."""
    action = "decide_list" if list_party else "decide_not_list"
    _check_step(actor, action, entry.organisation)
    on = _act_date(on, after=entry.notified_on or entry.proposed_on, after_label="告知日期" if entry.notified_on else "提出日期")
    if not list_party:
        _check_step(actor, action, entry.organisation, entry)
        if not reason.strip():
            raise DomainError("reason_required", "决定不予列入须写明理由。")
        with transaction.atomic():
            entry = _dishonesty_move(entry, action, actor, on=on, fields={"decided_on": on, "decided_by": actor, "removal_reason": reason.strip()},
                                     summary=f"决定不予将{entry.party.name}列入严重失信主体名单：{reason.strip()}")
        return entry
    if entry.status == workflow.Status.PROPOSED:
        raise TransitionNotAllowed("notice_required", "未向当事人送达告知书，不能作出列入决定（国办发〔2020〕49号（八））。")
    _check_step(actor, action, entry.organisation, entry)
    if entry.statement:
        if not review_note.strip():
            raise DomainError("statement_review_required", "当事人提出了陈述申辩，须写明复核意见后方可决定。")
    elif entry.statement_due_on and on <= entry.statement_due_on:
        raise DomainError("statement_period_running",
                          f"陈述申辩期限至{entry.statement_due_on:%Y-%m-%d}，期限届满前不能作出列入决定（国办发〔2020〕49号（八））。")
    category = entry.category
    # 民法典 Arts. 201-203 (ADR 0004): the term ends at the end of the corresponding day — listed through
    # ``expires``, off the list the day after; the minimum period is served at the end of its anniversary, so an
    # early exit by repair may be decided from the day after.
    expires = add_months(on, category.term_months)
    repair_from = add_months(on, category.repair_after_months) + timedelta(days=1)
    with transaction.atomic():
        DishonestyEntry.objects.filter(pk=entry.pk, status=workflow.Status.NOTIFIED).update(
            decided_on=on, decided_by=actor, listed_on=on, listed_by=actor, expires_on=expires,
            repair_from=repair_from, review_note=review_note.strip())
        entry.refresh_from_db()
        number = _issue(entry, "dishonesty_decision", actor)
        entry = _dishonesty_move(entry, action, actor, on=on, fields={"decision_number": number},
                                 summary=f"决定将{entry.party.name}列入严重失信主体名单（{category.name}），决定书 {number}，有效期至{expires:%Y-%m-%d}")
        grade_compute(actor=None, party=entry.party, on=timezone.localdate())
    return entry


def dishonesty_expire_due(*, on: date | None = None, actor=None) -> int:
    """Take off the list every entry whose term has run out: the last day of the term is ``expires_on``, the exit
    takes effect the day after. Returns how many left; each is regraded."""
    on = on or timezone.localdate()
    due = DishonestyEntry.objects.filter(status=workflow.Status.LISTED, expires_on__lt=on).select_related("party", "organisation")
    n = 0
    for entry in due:
        _check_step(actor, "expire", entry.organisation, entry)
        with transaction.atomic():
            removed = entry.expires_on + timedelta(days=1)
            _dishonesty_move(entry, "expire", actor, on=removed,
                             fields={"removed_on": removed, "removal_kind": DishonestyEntry.Removal.EXPIRY,
                                     "removal_reason": f"名单有效期于{entry.expires_on:%Y-%m-%d}届满"},
                             summary=f"{entry.party.name} 名单有效期届满，移出严重失信主体名单")
            grade_compute(actor=None, party=entry.party, on=on)
        n += 1
    return n


def dishonesty_repair_remove(*, actor, entry: DishonestyEntry, reason: str, corrected: bool, commitment_signed: bool,
                             on: date | None = None) -> DishonestyEntry:
    """Early exit by credit repair (负责人): the minimum period of the category served (counted from the decision),
    the conduct corrected and the obligations performed, and a credit commitment signed (《信用修复管理办法》)."""
    _check_step(actor, "repair_remove", entry.organisation, entry)
    if not reason.strip():
        raise DomainError("reason_required", "移出名单须写明原因。")
    on = _act_date(on, after=entry.listed_on, after_label="列入日期")
    missing = [label for ok, label in ((corrected, "已纠正失信行为、履行法定义务"), (commitment_signed, "已作出信用承诺")) if not ok]
    if missing:
        raise DomainError("repair_conditions", f"信用修复提前移出须满足：{'、'.join(missing)}。")
    if entry.repair_from and on < entry.repair_from:
        raise DomainError("repair_too_early", f"列入满{entry.category.repair_after_months}个月后（{entry.repair_from:%Y-%m-%d}起）方可经信用修复提前移出。")
    with transaction.atomic():
        entry = _dishonesty_move(entry, "repair_remove", actor, on=on,
                                 fields={"removed_on": on, "removal_kind": DishonestyEntry.Removal.REPAIR, "removal_reason": reason.strip()},
                                 summary=f"{entry.party.name} 经信用修复移出严重失信主体名单：{reason.strip()}")
        grade_compute(actor=None, party=entry.party, on=timezone.localdate())
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
        kernel.created(PUBLICATION_WORKFLOW, pub, "publication_create", actor=actor,
                       summary=f"公示{party.name}行政处罚信息 {decision_number}")
    return pub


def publication_follow(*, publication: CreditPublication, status: str, withdrawn_on: date | None, reason: str) -> CreditPublication:
    """The system takes a publication down after the portal's row (portal.pipeline: the decision revoked or changed, the
    publication period over, or the repair recorded there): the kernel's ``publication_follow`` move."""
    return kernel.transition(PUBLICATION_WORKFLOW, publication, "publication_follow", actor=None, target=status,
                             fields={"withdrawn_on": withdrawn_on}, summary=f"{publication.decision_number} {reason}")


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
    basis, period = regime, selectors.repair_period(regime, publication)
    # ADR 0004: the minimum period ends on its anniversary day (民法典 Arts. 201–202); repair from the next day.
    earliest = add_months(publication.decision_date, period.min_months) + timedelta(days=1)
    # ADR 0006: a decision made under the earlier regime keeps that regime's minimum when it is shorter (立法法
    # Art. 104: no retroactive burden); the procedure is the one in force on the application day.
    from .models import RepairRegime

    decided_under = RepairRegime.objects.filter(effective_from__lte=publication.decision_date).order_by("-effective_from").first()
    if decided_under is not None and decided_under.pk != regime.pk:
        old = selectors.repair_period(decided_under, publication)
        if add_months(publication.decision_date, old.min_months) + timedelta(days=1) < earliest:
            basis, period = decided_under, old
            earliest = add_months(publication.decision_date, old.min_months) + timedelta(days=1)
    checks = [
        {"code": "min_period", "label": "最短公示期已满", "ok": on >= earliest,
         "detail": f"{basis.name}：{publication.get_severity_display() if basis.code != 'ndrc2023' else '行政处罚信息'}"
                   f"最短公示期{period.min_months}个月，自{publication.decision_date}起算，{earliest}起可申请"
                   + ("（决定作出时施行的规定对当事人更有利，从其规定）" if basis is not regime else "")},
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
        kernel.created(REPAIR_WORKFLOW, app, "repair_apply", actor=actor,
                       summary=f"{publication.party.name} 申请信用修复（{regime.code}）" + (f"：不予受理，未满足 {failed}" if failed else "：自动核查通过"))
    return app


def repair_decide(*, actor, application: RepairApplication, approve: bool, note: str = "", on: date | None = None) -> RepairApplication:
    """Approve (and withdraw the publication) or reject a checked application."""
    on = on or timezone.localdate()
    _check_actor(actor, application.organisation, APPROVERS)
    if not approve and not note.strip():
        raise DomainError("reason_required", "不予修复须说明理由。")
    new = RepairApplication.Status.APPROVED if approve else RepairApplication.Status.REJECTED
    pub = application.publication
    with transaction.atomic():
        kernel.transition(REPAIR_WORKFLOW, application, "repair_decide", actor=actor, target=new,
                          fields={"decided_on": on, "decided_by": actor, "decision_note": note},
                          summary=f"{pub.party.name} 信用修复{'通过，撤下公示' if approve else '不予修复'}")
        pub.refresh_from_db()
        # A publication the portal already took down (revoked, expired) stays as it is; the repair is recorded.
        if approve and PUBLICATION_WORKFLOW.allowed("publication_withdraw", pub.status):
            kernel.transition(PUBLICATION_WORKFLOW, pub, "publication_withdraw", actor=actor, fields={"withdrawn_on": on},
                              summary=f"{pub.decision_number} 经信用修复撤下公示")
    return application
