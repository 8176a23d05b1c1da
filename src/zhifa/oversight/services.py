"""State changes of internal oversight. Every service checks the acting user's role and jurisdiction, makes
its change with a condition on the old state, appends its history row and writes the full-process record in
the same transaction. Refusals raise DomainError and change nothing."""

import random
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import audit, numbering
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.legal_calendar import add_working_days
from zhifa.core.models import Organisation, User
from zhifa.core.roles import Role
from zhifa.core.services import (
    assert_in_jurisdiction,
    assert_role,
    officer_for_user,
    validated,
)

from . import workflow
from .models import (
    LISTING_NUMBERS,
    PROBLEM_NUMBERS,
    CaseEvaluation,
    CaseRecord,
    Deduction,
    EvaluationItem,
    EvaluationRound,
    EvaluationStandard,
    Power,
    PowerRevision,
    Problem,
    SupervisionEntry,
    SupervisionListing,
)

EVALUATORS = (Role.SUPERVISOR, Role.REVIEWER, Role.HEAD)
ORGANISERS = workflow.ORGANISERS
OVERSEERS = workflow.OVERSEERS
POWER_EDITORS = (Role.ADMIN, Role.HEAD)


# ---------------------------------------------------------------------------------------------------------
# 评查标准与案卷登记
# ---------------------------------------------------------------------------------------------------------


def standard_import(*, actor, data: dict) -> EvaluationStandard:
    """Load one version of an evaluation standard from data (see ``data/evaluation_standard.json``)."""
    if actor is not None:
        assert_role(actor, Role.ADMIN, Role.SUPERVISOR, message="只有系统管理员或法制监督人员可以维护评查标准。")
    items = data.get("items") or []
    if not items:
        raise DomainError("empty_standard", "评查标准至少应包含一个评查项目。")
    with transaction.atomic():
        standard = EvaluationStandard(
            code=data["code"], name=data["name"], version=data.get("version", 1), effective_from=date.fromisoformat(data["effective_from"]),
            basis=data.get("basis", ""), excellent_score=Decimal(str(data.get("excellent_score", 90))),
            pass_score=Decimal(str(data.get("pass_score", 75))), rectification_days=data.get("rectification_days", 20),
        )
        validated(standard)
        standard.save()
        for n, row in enumerate(items):
            EvaluationItem.objects.create(standard=standard, code=row["code"], category=row["category"], text=row["text"],
                                          points=Decimal(str(row.get("points", 0))), is_veto=bool(row.get("veto", False)),
                                          basis=row.get("basis", ""), order=n)
        audit.record(actor=actor, action="evaluation_standard.import", subject=standard, after=audit.snapshot(standard),
                     summary=f"载入评查标准 {standard}（{len(items)} 项）")
    return standard


def case_record_create(*, actor, organisation: Organisation, number: str, title: str, closed_on: date, officers,
                       party_name: str = "", involves_enterprise: bool = False, case_id: int | None = None) -> CaseRecord:
    """Register a closed case file so that it can be drawn for evaluation (actor None: the case sync job)."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN)
        assert_in_jurisdiction(actor, organisation)
    officers = list(officers)
    if not officers:
        raise DomainError("no_handling_officers", "请填写案卷的承办人员。")
    for officer in officers:
        if not officer.organisation.is_within(organisation.enforcement_body()) and not organisation.is_within(officer.organisation):
            raise DomainError("officer_not_in_unit", f"{officer.name}不属于办案机构。")
    record = CaseRecord(organisation=organisation, number=number.strip(), title=title, closed_on=closed_on, party_name=party_name,
                        involves_enterprise=involves_enterprise, case_id=case_id)
    validated(record)
    with transaction.atomic():
        record.save(force_insert=True)
        record.handling_officers.set(officers)
        audit.record(actor=actor, action="case_record.create", subject=record, after=audit.snapshot(record), organisation=organisation,
                     summary=f"登记案卷 {record.number}，承办人员 {'、'.join(o.name for o in officers)}")
    return record


# ---------------------------------------------------------------------------------------------------------
# 评查批次：随机抽取与评分
# ---------------------------------------------------------------------------------------------------------


def standard_in_force(on: date) -> EvaluationStandard | None:
    """The newest active standard version in force on ``on``."""
    return EvaluationStandard.objects.filter(is_active=True, effective_from__lte=on).order_by("-effective_from", "-version").first()


def round_create(*, actor, organisation: Organisation, name: str, period_from: date, period_to: date, sample_size: int,
                 standard: EvaluationStandard | None = None, enterprise_only: bool = False) -> EvaluationRound:
    assert_role(actor, *ORGANISERS, message="只有法制监督人员、负责人或管理员可以组织案卷评查。")
    assert_in_jurisdiction(actor, organisation)
    if period_from > period_to:
        raise DomainError("invalid_period", "结案起始日不能晚于截止日。")
    if sample_size < 1:
        raise DomainError("invalid_sample_size", "抽取数量至少为1。")
    standard = standard or standard_in_force(timezone.localdate())
    if standard is None:
        raise DomainError("no_standard", "尚无施行中的评查标准，请先载入评查标准。")
    rnd = EvaluationRound(organisation=organisation, name=name, standard=standard, period_from=period_from, period_to=period_to,
                          sample_size=sample_size, enterprise_only=enterprise_only)
    validated(rnd)
    with transaction.atomic():
        rnd.save(force_insert=True)
        return kernel.created(workflow.ROUND_WORKFLOW, rnd, "create", actor=actor, summary=f"创建评查批次 {name}")


def round_candidates(rnd: EvaluationRound):
    """Closed files of the round's unit and period, in a fixed order (the draw depends on that order)."""
    qs = CaseRecord.objects.filter(organisation__path__startswith=rnd.organisation.path,
                                   closed_on__gte=rnd.period_from, closed_on__lte=rnd.period_to)
    if rnd.enterprise_only:
        qs = qs.filter(involves_enterprise=True)
    return qs.order_by("pk")


def draw_sample(candidate_ids: list[int], seed: str, size: int) -> list[int]:
    """The reproducible draw: the same ids, seed and size always give the same files in the same order."""
    ids = sorted(candidate_ids)
    return random.Random(f"zhifa-evaluation:{seed}").sample(ids, min(size, len(ids)))


def round_draw(*, actor, round: EvaluationRound, seed: str | None = None) -> list[CaseEvaluation]:
    """Draw the files at random; the seed is recorded so the draw can be repeated and checked."""
    assert_role(actor, *ORGANISERS, message="只有法制监督人员、负责人或管理员可以抽取案卷。")
    assert_in_jurisdiction(actor, round.organisation)
    if round.status != EvaluationRound.Status.DRAFT:
        raise TransitionNotAllowed("already_drawn", "该批次已经抽取过案卷，不能重复抽取。")
    seed = (seed or secrets.token_hex(8)).strip()
    ids = list(round_candidates(round).values_list("pk", flat=True))
    if not ids:
        raise DomainError("no_candidates", "该期间内没有可抽取的已结案卷。")
    chosen = draw_sample(ids, seed, round.sample_size)
    records = CaseRecord.objects.in_bulk(chosen)
    with transaction.atomic():
        # The record names the seed and the files drawn, so anyone can repeat the draw from it.
        kernel.transition(workflow.ROUND_WORKFLOW, round, "draw", actor=actor,
                          fields={"seed": seed, "candidates": len(ids), "drawn_at": timezone.now(), "drawn_by": actor},
                          audit_changes={"seed": seed, "candidates": len(ids), "drawn": [records[pk].number for pk in chosen]},
                          summary=f"随机抽取案卷 {len(chosen)}/{len(ids)} 卷，随机种子 {seed}")
        rows = [CaseEvaluation(round=round, record=records[pk], organisation=records[pk].organisation, draw_order=n + 1)
                for n, pk in enumerate(chosen)]
        CaseEvaluation.objects.bulk_create(rows)
    return list(round.evaluations.select_related("record"))


def round_verify_draw(rnd: EvaluationRound) -> bool:
    """Repeat the draw from the recorded seed over the same candidates and compare with what was drawn."""
    if not rnd.seed:
        return False
    ids = list(round_candidates(rnd).values_list("pk", flat=True))
    drawn = list(rnd.evaluations.order_by("draw_order").values_list("record_id", flat=True))
    return draw_sample(ids, rnd.seed, rnd.sample_size) == drawn


@dataclass
class DeductionIn:
    item: EvaluationItem
    points: Decimal
    finding: str


def grade_for(standard: EvaluationStandard, score: Decimal, vetoed: bool) -> str:
    if vetoed:
        return CaseEvaluation.Grade.FAIL
    if score >= standard.excellent_score:
        return CaseEvaluation.Grade.EXCELLENT
    if score >= standard.pass_score:
        return CaseEvaluation.Grade.PASS
    return CaseEvaluation.Grade.FAIL


def evaluation_score(*, actor, evaluation: CaseEvaluation, deductions: list[DeductionIn], comment: str = "",
                     owner: User | None = None, deadline: date | None = None, on: date | None = None) -> CaseEvaluation:
    """Score one drawn file. The evaluator must not have handled the case; each deduction becomes a problem on
    the rectification table (整改统计表) with an owner and a deadline."""
    assert_role(actor, *EVALUATORS, message="只有法制监督人员、法制审核人员或负责人可以评查案卷。")
    assert_in_jurisdiction(actor, evaluation.organisation)
    record = evaluation.record
    officer = officer_for_user(actor)
    # Evaluation by someone who handled the file is no check at all: refuse it.
    if officer is not None and record.handling_officers.filter(pk=officer.pk).exists():
        raise NotPermitted("evaluator_handled_case", f"您是案卷 {record.number} 的承办人员，不能评查本人承办的案卷。")
    if evaluation.is_scored:
        raise TransitionNotAllowed("already_scored", "该案卷已评查完毕。")
    if evaluation.round.status != EvaluationRound.Status.DRAWN:
        raise TransitionNotAllowed("round_not_open", "该评查批次不在评查中。")
    standard = evaluation.round.standard
    seen = set()
    for d in deductions:
        if d.item.standard_id != standard.pk:
            raise DomainError("item_not_in_standard", f"评查项目 {d.item.code} 不属于本批次使用的评查标准。")
        if d.item.pk in seen:
            raise DomainError("duplicate_item", f"评查项目 {d.item.code} 重复扣分。")
        seen.add(d.item.pk)
        if not d.item.is_veto and not (Decimal("0") < d.points <= d.item.points):
            raise DomainError("invalid_points", f"评查项目 {d.item.code} 的扣分应大于0且不超过该项分值 {d.item.points}。")
        if not d.finding.strip():
            raise DomainError("finding_required", f"请写明评查项目 {d.item.code} 存在的问题。")
    if deductions and owner is None:
        raise DomainError("owner_required", "评查发现问题的，须指定整改责任人。")
    today = on or timezone.localdate()
    vetoed = any(d.item.is_veto for d in deductions)
    score = max(Decimal("0"), standard.total_points - sum((d.points for d in deductions if not d.item.is_veto), Decimal("0")))
    grade = grade_for(standard, score, vetoed)
    if deadline is None:
        deadline = add_working_days(today, standard.rectification_days).date
    now = timezone.now()
    with transaction.atomic():
        touched = CaseEvaluation.objects.filter(pk=evaluation.pk, scored_at__isnull=True).update(
            evaluator=actor, score=score, vetoed=vetoed, grade=grade, comment=comment, scored_at=now)
        if touched != 1:
            raise TransitionNotAllowed("already_scored", "该案卷已评查完毕。")
        evaluation.refresh_from_db()
        for d in deductions:
            ded = Deduction.objects.create(evaluation=evaluation, item=d.item, points=d.points if not d.item.is_veto else Decimal("0"), finding=d.finding)
            _problem_insert(actor=actor, organisation=record.organisation, source=Problem.Source.EVALUATION, source_ref=record.number,
                            category=Problem.Category.FILE_QUALITY, title=f"{record.number}：{d.finding}"[:200],
                            description=f"{evaluation.round.name}评查发现（{d.item.code} {d.item.text}）。",
                            measures=f"对照《{standard.name}》{d.item.code}项补正案卷，并在今后办案中杜绝同类问题。",
                            deadline=deadline, owner=owner, found_on=today, evaluation=evaluation, deduction=ded)
        audit.record(actor=actor, action="case_evaluation.score", subject=evaluation, organisation=record.organisation,
                     after=audit.snapshot(evaluation),
                     summary=f"评查案卷 {record.number}：{score}分，{evaluation.get_grade_display()}{'（触及否决项）' if vetoed else ''}，发现问题{len(deductions)}个")
    return evaluation


def round_close(*, actor, round: EvaluationRound) -> EvaluationRound:
    assert_role(actor, *ORGANISERS)
    assert_in_jurisdiction(actor, round.organisation)
    if round.evaluations.filter(scored_at__isnull=True).exists():
        raise DomainError("unscored_files", "还有案卷未评查，不能结束本批次。")
    if round.status != EvaluationRound.Status.DRAWN:
        raise TransitionNotAllowed("round_not_open", "该评查批次不在评查中。")
    # The record of a close has always named no columns (the summary says it all).
    return kernel.transition(workflow.ROUND_WORKFLOW, round, "close", actor=actor, audit_changes={},
                             summary=f"结束评查批次 {round.name}")


# ---------------------------------------------------------------------------------------------------------
# 问题清单
# ---------------------------------------------------------------------------------------------------------


def _same_branch(a: Organisation, b: Organisation) -> bool:
    return a.is_within(b) or b.is_within(a)


def _problem_insert(*, actor, organisation, source, category, title, measures, deadline, owner, found_on, description="",
                    source_ref="", evaluation=None, deduction=None) -> Problem:
    if deadline < found_on:
        raise DomainError("deadline_before_found", "整改时限不能早于发现日期。")
    if owner.organisation_id is None or not _same_branch(owner.organisation, organisation):
        raise DomainError("owner_not_in_unit", f"责任人{owner.display_name}不属于责任单位{organisation.name}或其上下级。")
    problem = Problem(organisation=organisation, source=source, source_ref=source_ref, category=category, title=title,
                      description=description, found_on=found_on, measures=measures, deadline=deadline, owner=owner,
                      evaluation=evaluation, deduction=deduction, created_by=actor)
    problem.full_clean(exclude=["number"])
    problem.number = numbering.reserve(PROBLEM_NUMBERS, year=found_on.year)  # in the caller's transaction
    problem.save(force_insert=True)
    return kernel.created(workflow.WORKFLOW, problem, "create", actor=actor, note=measures,
                          summary=f"登记问题 {problem.number}（{problem.get_source_display()}），责任人 {owner.display_name}，时限 {deadline}")


def problem_create(*, actor, organisation: Organisation, source: str, category: str, title: str, measures: str, deadline: date,
                   owner: User, found_on: date | None = None, description: str = "", source_ref: str = "") -> Problem:
    """Put a problem on the list with its measures, deadline and owner (常德 measure 1)."""
    assert_role(actor, Role.OFFICER, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN)
    assert_in_jurisdiction(actor, organisation)
    with transaction.atomic():
        return _problem_insert(actor=actor, organisation=organisation, source=source, category=category, title=title, measures=measures,
                               deadline=deadline, owner=owner, found_on=found_on or timezone.localdate(), description=description,
                               source_ref=source_ref)


PROBLEM_FIELDS = {"title", "description", "measures", "category", "source_ref", "owner"}


def problem_update(*, actor, problem: Problem, **data) -> Problem:
    assert_role(actor, Role.OFFICER, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN)
    assert_in_jurisdiction(actor, problem.organisation)
    if problem.status == Problem.Status.CLOSED:
        raise TransitionNotAllowed("problem_closed", "问题已销号，不能修改。")
    unknown = set(data) - PROBLEM_FIELDS
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}（整改时限请用“延期”）")
    owner = data.get("owner")
    if owner is not None and (owner.organisation_id is None or not _same_branch(owner.organisation, problem.organisation)):
        raise DomainError("owner_not_in_unit", f"责任人{owner.display_name}不属于责任单位{problem.organisation.name}或其上下级。")
    before = audit.snapshot(problem)
    for key, value in data.items():
        setattr(problem, key, value)
    validated(problem)
    with transaction.atomic():
        problem.save()
        audit.record(actor=actor, action="problem.update", subject=problem, before=before, after=audit.snapshot(problem),
                     organisation=problem.organisation, summary=f"修改问题 {problem.number}")
    return problem


OWNER_ACTIONS = workflow.OWNER_ACTIONS
problem_may_act = workflow.may_act  # the one who-may-act rule, beside the table (pages call it too)


def problem_transition(*, actor, problem: Problem, action: str, note: str = "", on: date | None = None) -> Problem:
    """Move a problem along the transition table. start/report: the owner (or an overseer); the 回头看
    (recheck_pass / recheck_fail): a supervisor or head who is not the owner."""
    assert_in_jurisdiction(actor, problem.organisation)
    workflow.target(problem.status, action)
    on = on or timezone.localdate()
    changes: dict = {}
    if action in OWNER_ACTIONS:
        if not problem_may_act(actor, problem, action):
            raise NotPermitted("not_owner", "只有责任人或监督人员、负责人可以报告整改情况。")
        if action == "report":
            if not note.strip():
                raise DomainError("rectification_required", "请填写整改情况。")
            changes.update(rectification=note, rectified_on=on)
    else:
        if not problem_may_act(actor, problem, action):  # the refusal says which half of the rule failed
            assert_role(actor, *OVERSEERS, message="只有法制监督人员或负责人可以开展回头看。")
            raise NotPermitted("owner_cannot_recheck", "责任人不能对本人负责整改的问题进行回头看。")
        if not note.strip():
            raise DomainError("recheck_note_required", "请填写回头看情况。")
        changes.update(recheck_note=note, rechecked_on=on, rechecked_by=actor)
        if action == "recheck_pass":
            changes["closed_on"] = on
        else:
            changes.update(rectified_on=None)
    return kernel.transition(workflow.WORKFLOW, problem, action, actor=actor, fields=changes, step={"note": note},
                             summary=f"{problem.number} {workflow.ACTION_LABELS[action]}")


def problem_extend(*, actor, problem: Problem, deadline: date, reason: str) -> Problem:
    """Extend the deadline (an overseer's decision, with a reason); the overdue alert is reset."""
    if not problem_may_act(actor, problem, "extend"):
        raise NotPermitted("forbidden", "只有法制监督人员或负责人可以批准延期。")
    assert_in_jurisdiction(actor, problem.organisation)
    if not workflow.WORKFLOW.allowed("extend", problem.status):
        raise TransitionNotAllowed("not_open", "只有待整改或整改中的问题可以延期。")
    if deadline <= problem.deadline:
        raise DomainError("deadline_not_later", "新的整改时限应晚于原时限。")
    if not reason.strip():
        raise DomainError("reason_required", "请填写延期理由。")
    # The extension starts from the deadline read: a concurrent extension is refused (``expect``).
    return kernel.transition(workflow.WORKFLOW, problem, "extend", actor=actor, expect={"deadline": problem.deadline},
                             fields={"deadline": deadline, "overdue_alerted_on": None},
                             note=f"整改时限由 {problem.deadline} 延至 {deadline}：{reason}", summary=f"{problem.number} 延期至 {deadline}")


def overdue_scan(*, today: date | None = None) -> list[Problem]:
    """Flag problems past their deadline and not rectified; each is alerted once (idempotent)."""
    today = today or timezone.localdate()
    flagged = []
    candidates = Problem.objects.filter(status__in=Problem.OPEN_STATUSES, deadline__lt=today, overdue_alerted_on__isnull=True)
    for problem in candidates.select_related("organisation", "owner"):
        with transaction.atomic():
            if Problem.objects.filter(pk=problem.pk, overdue_alerted_on__isnull=True).update(overdue_alerted_on=today) != 1:
                continue
            audit.record(actor=None, action="problem.overdue_alert", subject=problem, organisation=problem.organisation,
                         summary=f"{problem.number} 已超过整改时限 {problem.deadline}，责任人 {problem.owner.display_name}")
        flagged.append(problem)
    return flagged


# ---------------------------------------------------------------------------------------------------------
# 挂牌督办台账
# ---------------------------------------------------------------------------------------------------------


def problem_list_key(*, actor, problem: Problem, reason: str, requirement: str, due_on: date, on: date | None = None) -> SupervisionListing:
    """Put a key problem under 挂牌督办 (常德 measure 5) and open its ledger."""
    assert_role(actor, *OVERSEERS, message="只有法制监督人员或负责人可以挂牌督办。")
    assert_in_jurisdiction(actor, problem.organisation)
    on = on or timezone.localdate()
    if problem.status == Problem.Status.CLOSED:
        raise TransitionNotAllowed("problem_closed", "问题已销号，无需督办。")
    if SupervisionListing.objects.filter(problem=problem).exists():
        raise DomainError("already_listed", "该问题已挂牌督办。")
    if due_on < on:
        raise DomainError("invalid_due", "督办时限不能早于挂牌日期。")
    listing = SupervisionListing(problem=problem, organisation=actor.organisation or problem.organisation, reason=reason,
                                 requirement=requirement, due_on=due_on, listed_on=on, listed_by=actor)
    listing.full_clean(exclude=["number", "problem"])
    with transaction.atomic():
        listing.number = numbering.reserve(LISTING_NUMBERS, year=on.year)
        try:
            with transaction.atomic():
                listing.save(force_insert=True)
        except IntegrityError:
            # The problem was listed by someone else at the same moment (one listing per problem).
            if SupervisionListing.objects.filter(problem=problem).exists():
                raise DomainError("already_listed", "该问题已挂牌督办。") from None
            raise
        audit.record(actor=actor, action="supervision.list", subject=listing, after=audit.snapshot(listing), organisation=problem.organisation,
                     summary=f"问题 {problem.number} 挂牌督办（{listing.get_reason_display()}）")
    return listing


def supervision_entry_add(*, actor, listing: SupervisionListing, kind: str, note: str, on: date | None = None) -> SupervisionEntry:
    assert_in_jurisdiction(actor, listing.problem.organisation)
    if kind == SupervisionEntry.Kind.REPORT:
        if not problem_may_act(actor, listing.problem, "report"):
            raise NotPermitted("not_owner", "只有责任人可以报告督办事项进展。")
    else:
        assert_role(actor, *OVERSEERS, message="只有法制监督人员或负责人可以记录督办情况。")
    if listing.status != SupervisionListing.Status.ACTIVE:
        raise TransitionNotAllowed("listing_lifted", "督办事项已销号。")
    if not note.strip():
        raise DomainError("note_required", "请填写督办记录内容。")
    entry = SupervisionEntry(listing=listing, kind=kind, on=on or timezone.localdate(), note=note, actor=actor)
    validated(entry)
    with transaction.atomic():
        entry.save()
        audit.record(actor=actor, action="supervision.entry", subject=listing, organisation=listing.problem.organisation,
                     summary=f"{listing.number} {entry.get_kind_display()}：{note[:80]}")
    return entry


def listing_lift(*, actor, listing: SupervisionListing, note: str = "", on: date | None = None) -> SupervisionListing:
    """Lift (销号) a listing; only once its problem has passed the 回头看."""
    assert_role(actor, *OVERSEERS, message="只有法制监督人员或负责人可以督办销号。")
    assert_in_jurisdiction(actor, listing.problem.organisation)
    if listing.problem.status != Problem.Status.CLOSED:
        raise TransitionNotAllowed("problem_not_closed", "问题尚未通过回头看销号，督办事项不能销号。")
    on = on or timezone.localdate()
    with transaction.atomic():
        if SupervisionListing.objects.filter(pk=listing.pk, status=SupervisionListing.Status.ACTIVE).update(
                status=SupervisionListing.Status.LIFTED, lifted_on=on) != 1:
            raise TransitionNotAllowed("listing_lifted", "督办事项已销号。")
        listing.refresh_from_db()
        audit.record(actor=actor, action="supervision.lift", subject=listing, organisation=listing.problem.organisation,
                     summary=f"督办事项 {listing.number} 销号 {note}".strip())
    return listing


# ---------------------------------------------------------------------------------------------------------
# 权责清单
# ---------------------------------------------------------------------------------------------------------

POWER_FIELDS = {"kind", "name", "legal_basis", "basis_verified", "responsible_unit", "responsibilities", "process", "time_limit",
                "remedy", "accountability", "violation_codes"}


def _power_snapshot(power: Power) -> dict:
    return audit.snapshot(power, ["code", *sorted(POWER_FIELDS), "is_active", "version"])


def power_create(*, actor, organisation: Organisation, code: str, reason: str, authority: str = "", at=None, **fields) -> Power:
    """Add a power to the list; the first revision records why (e.g. a new regulation, 编办 approval)."""
    if actor is not None:
        assert_role(actor, *POWER_EDITORS, message="只有系统管理员或负责人可以调整权责清单。")
        assert_in_jurisdiction(actor, organisation)
    unknown = set(fields) - POWER_FIELDS
    if unknown:
        raise DomainError("invalid_fields", f"未知字段：{', '.join(sorted(unknown))}")
    if not reason.strip():
        raise DomainError("reason_required", "请填写调整理由。")
    at = at or timezone.now()
    power = Power(organisation=organisation, code=code.strip(), updated_at=at, **fields)
    validated(power)
    with transaction.atomic():
        power.save(force_insert=True)
        snap = _power_snapshot(power)
        PowerRevision.objects.create(power=power, version=1, change=PowerRevision.Change.ADD, reason=reason, authority=authority,
                                     changes={k: [None, v] for k, v in snap.items()}, snapshot=snap, actor=actor, at=at)
        audit.record(actor=actor, action="power.create", subject=power, after=snap, organisation=organisation,
                     summary=f"权责清单新增 {power.code} {power.name}")
    return power


def power_update(*, actor, power: Power, reason: str, authority: str = "", **data) -> Power:
    """Adjust a power (动态调整): a new version with the fields changed, who, when and why."""
    assert_role(actor, *POWER_EDITORS, message="只有系统管理员或负责人可以调整权责清单。")
    assert_in_jurisdiction(actor, power.organisation)
    unknown = set(data) - POWER_FIELDS
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}")
    if not power.is_active:
        raise TransitionNotAllowed("power_cancelled", "该事项已取消，不能调整。")
    if not reason.strip():
        raise DomainError("reason_required", "请填写调整理由。")
    before = _power_snapshot(power)
    for key, value in data.items():
        setattr(power, key, value)
    validated(power)
    after = _power_snapshot(power)
    changes = audit.diff(before, after)
    changes.pop("version", None)
    if not changes:
        raise DomainError("no_change", "内容没有变化。")
    return _power_revise(actor=actor, power=power, old_version=before["version"], fields={k: getattr(power, k) for k in data},
                         change=PowerRevision.Change.AMEND, reason=reason, authority=authority, before=before, changes=changes)


def power_cancel(*, actor, power: Power, reason: str, authority: str = "") -> Power:
    assert_role(actor, *POWER_EDITORS, message="只有系统管理员或负责人可以调整权责清单。")
    assert_in_jurisdiction(actor, power.organisation)
    if not power.is_active:
        raise TransitionNotAllowed("power_cancelled", "该事项已取消。")
    if not reason.strip():
        raise DomainError("reason_required", "请填写取消理由。")
    before = _power_snapshot(power)
    return _power_revise(actor=actor, power=power, old_version=power.version, fields={"is_active": False},
                         change=PowerRevision.Change.CANCEL, reason=reason, authority=authority, before=before,
                         changes={"is_active": [True, False]})


def _power_revise(*, actor, power, old_version, fields, change, reason, authority, before, changes) -> Power:
    now = timezone.now()
    with transaction.atomic():
        if Power.objects.filter(pk=power.pk, version=old_version).update(version=old_version + 1, updated_at=now, **fields) != 1:
            raise TransitionNotAllowed("stale_version", "该事项已被他人调整，请刷新后重试。")
        power.refresh_from_db()
        snap = _power_snapshot(power)
        PowerRevision.objects.create(power=power, version=power.version, change=change, reason=reason, authority=authority,
                                     changes=changes, snapshot=snap, actor=actor, at=now)
        audit.record(actor=actor, action=f"power.{change}", subject=power, before=before, after=snap, organisation=power.organisation,
                     summary=f"权责清单{PowerRevision.Change(change).label} {power.code} {power.name}：{reason}")
    return power
