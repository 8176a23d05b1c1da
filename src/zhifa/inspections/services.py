"""State changes of random inspection, warnings and leads. Each service checks role, jurisdiction and the
transition table; the workflow kernel updates with a condition on the old state, appends the history step and records
the act in the full-process record, all in one transaction (docs/architecture.md)."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhifa.core import audit, legal_calendar, numbering
from zhifa.core import workflow as kernel
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.evidence import evidence_store
from zhifa.core.models import Officer, Organisation, Party, SourceUnit, TransportCompany
from zhifa.core.roles import Role
from zhifa.core.selectors import enforcing_officers
from zhifa.core.services import assert_in_jurisdiction, assert_officers_can_act, assert_role
from zhifa.integrations import triggers

from . import draw as draw_algo
from .models import (
    PLAN_NUMBERS,
    CheckResult,
    ConflictDeclaration,
    Draw,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Lead,
    Plan,
    ProvincialWarning,
    PublicationRule,
    SamplingRule,
)
from .workflow import (
    INSPECTION_WORKFLOW,
    LEAD_WORKFLOW,
    PLAN_WORKFLOW,
    WARNING_WORKFLOW,
    inspection_jurisdiction,
)

PLANNERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
INSPECTORS = (Role.OFFICER, Role.HEAD)
P, IS, W = Plan.Status, Inspection.Status, ProvincialWarning.Status


def check_actor(actor, organisation, roles=PLANNERS):
    """The actor must hold one of ``roles`` and act within ``organisation``'s jurisdiction (the plan's services and
    the rectification notice, ``rectification``); no actor (``None``) is not checked."""
    if actor is None:
        return
    assert_role(actor, *roles)
    assert_in_jurisdiction(actor, organisation)


def _check_inspector(actor, inspection: Inspection) -> None:
    """The role, then ``workflow.inspection_jurisdiction`` (a drawn inspector acts wherever they sit)."""
    if actor is None:
        return
    assert_role(actor, *INSPECTORS)
    inspection_jurisdiction(actor, inspection)


# --- plans -------------------------------------------------------------------------------------------------

def plan_create(*, actor, organisation: Organisation, title: str, items: list[InspectionItem], target_types: list[str],
                starts_on: date, ends_on: date, target_count: int | None = None, ratio_percent: Decimal | None = None,
                inspectors_per_target: int = 2, joint_departments: str = "") -> Plan:
    """Draft a plan. General items limit the ratio (legal-reference §7: 一般事项 with a limited ratio, key items
    without an upper bound); at least two inspectors per target."""
    check_actor(actor, organisation)
    if not items:
        raise DomainError("items_required", "请至少选择一个抽查事项。")
    if not target_types:
        raise DomainError("target_types_required", "请选择检查对象类型。")
    if bool(target_count) == bool(ratio_percent):
        raise DomainError("count_or_ratio", "请填写抽取对象数或抽取比例（二选一）。")
    if inspectors_per_target < 2:
        raise DomainError("two_inspectors", "每个检查对象须随机匹配不少于2名执法检查人员（双随机）。")
    if ends_on < starts_on:
        raise DomainError("dates", "检查结束日期不得早于开始日期。")
    if ratio_percent and all(not i.is_key for i in items):
        cap = min(i.max_ratio_percent for i in items)
        if Decimal(ratio_percent) > cap:
            raise DomainError("ratio_over_cap", f"一般检查事项的抽取比例不得超过{cap}%。")
    with transaction.atomic():
        year = starts_on.year
        plan = Plan.objects.create(organisation=organisation, number=numbering.reserve(PLAN_NUMBERS, year=year), title=title, target_types=list(target_types),
                                   target_count=target_count or None, ratio_percent=ratio_percent or None,
                                   inspectors_per_target=inspectors_per_target, joint_departments=joint_departments,
                                   starts_on=starts_on, ends_on=ends_on, created_by=actor)
        plan.items.set(items)
        kernel.created(PLAN_WORKFLOW, plan, "plan_create", actor=actor, summary=f"制定抽查计划 {plan.number} {title}")
    return plan


def plan_commit_seed(*, actor, plan: Plan) -> Plan:
    """Commit the draw's seed: a fresh secret whose SHA-256 is published with the plan before anyone draws."""
    check_actor(actor, plan.organisation)
    seed = secrets.token_hex(32)
    with transaction.atomic():
        sha = draw_algo.seed_hash(seed)
        kernel.transition(PLAN_WORKFLOW, plan, "seed_commit", actor=actor, summary=f"公布抽查计划 {plan.number}，随机种子承诺值 {sha}",
                          fields={"seed": seed, "seed_sha256": sha, "seed_committed_at": timezone.now()})
    return plan


def key_items_for(subject_types: list[str]) -> list[InspectionItem]:
    """Key inspection items picked by risk: the items that check a high or medium risk point of these firm types."""
    return list(InspectionItem.objects.filter(active=True, risk_points__subject_type__in=subject_types,
                                              risk_points__level__in=["high", "medium"]).distinct())


def _active_rules(on: date) -> dict[str, SamplingRule]:
    rules = {}
    for r in SamplingRule.objects.filter(active=True, effective_from__lte=on).order_by("kind", "-effective_from"):
        rules.setdefault(r.kind, r)
    return rules


def target_directory(plan: Plan, on: date) -> list[dict]:
    """The target directory (检查对象名录库) of the plan as it is now, with each target's grade and weight:
    firms from the register by type (licence not revoked) and source units."""
    from zhifa.credit import selectors as credit

    path = plan.organisation.path
    rows = []
    company_types = [t for t in plan.target_types if t != "source_unit"]
    for c in (TransportCompany.objects.filter(organisation__path__startswith=path, kind__in=company_types)
              .exclude(licence_status=TransportCompany.LicenceStatus.REVOKED).select_related("organisation")):
        rows.append({"party_id": c.party_id, "name": c.name, "type": c.kind, "organisation_id": c.organisation_id, "key_unit": False})
    if "source_unit" in plan.target_types:
        for s in SourceUnit.objects.filter(organisation__path__startswith=path):
            rows.append({"party_id": s.party_id, "name": s.name, "type": "source_unit", "organisation_id": s.organisation_id, "key_unit": s.is_key_unit})
    ids = [r["party_id"] for r in rows]
    since = on - timedelta(days=364)
    grades = credit.grades_for(ids)
    grade_weights = credit.sampling_weights(on)
    penalties = credit.penalty_counts(ids, since=since, until=on)
    complaints = credit.complaint_counts(ids, since=since, until=on)
    from zhifa.credit.models import DishonestyEntry

    dishonest = set(DishonestyEntry.objects.filter(party_id__in=ids, status="listed").values_list("party_id", flat=True))
    rules = _active_rules(on)
    for r in rows:
        pid = r["party_id"]
        weight = Decimal(grade_weights.get(grades[pid], Decimal("1")))
        reasons = [f"信用{grades[pid]}级×{weight}"]
        checks = {
            SamplingRule.Kind.COMPLAINTS: complaints.get(pid, 0),
            SamplingRule.Kind.PENALTIES: penalties.get(pid, 0),
            SamplingRule.Kind.DISHONEST: 1 if pid in dishonest else 0,
            SamplingRule.Kind.KEY_UNIT: 1 if r["key_unit"] else 0,
        }
        for kind, value in checks.items():
            rule = rules.get(kind)
            if rule and value >= rule.threshold:
                weight *= rule.multiplier
                reasons.append(f"{rule.get_kind_display()}×{rule.multiplier}")
        r.update(grade=grades[pid], penalties=penalties.get(pid, 0), complaints=complaints.get(pid, 0),
                 weight=str(weight.quantize(Decimal("0.0001"))), weight_reasons=reasons)
    return sorted(rows, key=lambda r: r["party_id"])


def inspector_directory(plan: Plan, on: date, party_ids: list[int]) -> list[dict]:
    """The inspector directory (执法检查人员名录库): certified officers of the plan's jurisdiction on ``on``
    (computed, never typed), each with declared conflicts and the firms they inspected last time."""
    officers = list(enforcing_officers(plan.organisation, on).order_by("pk"))
    conflicts: dict[int, list[int]] = {}
    for oid, pid in ConflictDeclaration.objects.filter(officer__in=officers, party_id__in=party_ids).values_list("officer_id", "party_id"):
        conflicts.setdefault(oid, []).append(pid)
    # Avoidance: whoever inspected a firm in its most recent inspection is not drawn for it again.
    last: dict[int, list[int]] = {}
    latest = (Inspection.objects.filter(party_id__in=party_ids).exclude(status=IS.CANCELLED).exclude(plan=plan)
              .values("party_id").annotate(last_id=Max("id")))
    for row in latest:
        for oid in Inspection.inspectors.through.objects.filter(inspection_id=row["last_id"]).values_list("officer_id", flat=True):
            last.setdefault(oid, []).append(row["party_id"])
    return [{"officer_id": o.pk, "name": o.name, "cert_number": o.cert_number, "organisation_id": o.organisation_id,
             "conflicts": sorted(conflicts.get(o.pk, [])), "last_inspected": sorted(last.get(o.pk, []))} for o in officers]


def plan_draw(*, actor, plan: Plan, on: date | None = None) -> Draw:
    """Draw targets and inspectors with the committed seed; snapshots of both directories, the algorithm version
    and the result are stored so the draw can be recomputed (verify_draw)."""
    on = on or timezone.localdate()
    check_actor(actor, plan.organisation)
    plan.refresh_from_db()
    PLAN_WORKFLOW.check("draw", plan, actor)
    sequence = plan.draws.count() + 1
    if sequence > 1 and not plan.pending_redraw_reason:
        raise DomainError("redraw_reason_required", "重新抽取必须记录原因。")
    targets = target_directory(plan, on)
    inspectors = inspector_directory(plan, on, [t["party_id"] for t in targets])
    params = {"target_count": plan.target_count, "ratio_percent": str(plan.ratio_percent) if plan.ratio_percent else None,
              "inspectors_per_target": plan.inspectors_per_target, "on": on.isoformat()}
    try:
        result = draw_algo.compute(plan.seed, targets, inspectors, params)
    except draw_algo.DrawImpossible as exc:
        raise DomainError("draw_impossible", str(exc)) from exc
    if not result["targets"]:
        raise DomainError("no_targets", "检查对象名录库中没有符合条件的对象。")
    with transaction.atomic():
        d = Draw.objects.create(plan=plan, sequence=sequence, algorithm=draw_algo.ALGORITHM, seed=plan.seed, seed_sha256=plan.seed_sha256,
                                target_snapshot=targets, inspector_snapshot=inspectors, parameters=params, result=result,
                                result_sha256=draw_algo.result_hash(result), redraw_reason=plan.pending_redraw_reason, drawn_by=actor)
        kernel.transition(PLAN_WORKFLOW, plan, "draw", actor=actor, fields={"pending_redraw_reason": ""},
                          summary=f"{plan.number} 第{sequence}次抽取，随机种子公开")
        officers = {o.pk: o for o in Officer.objects.filter(pk__in={oid for t in result["targets"] for oid in t["inspectors"]})}
        parties = {p.pk: p for p in Party.objects.filter(pk__in=[t["party_id"] for t in result["targets"]]).select_related("organisation")}
        for t in result["targets"]:
            insp = Inspection.objects.create(plan=plan, draw=d, organisation=parties[t["party_id"]].organisation,
                                             party=parties[t["party_id"]], target_type=t["type"])
            insp.inspectors.set([officers[oid] for oid in t["inspectors"]])
        audit.record(actor=actor, action="inspections.draw", subject=d,
                     changes={"seed": d.seed, "seed_sha256": d.seed_sha256, "result_sha256": d.result_sha256,
                              "targets": len(result["targets"]), "directory": len(targets), "inspectors": len(inspectors)},
                     summary=f"{plan.number} 第{sequence}次抽取：名录{len(targets)}户中抽取{len(result['targets'])}户，结果哈希 {d.result_sha256[:16]}",
                     organisation=plan.organisation)
    return d


def draw_redo(*, actor, plan: Plan, reason: str) -> Plan:
    """A redraw is a recorded act with a reason: the current draw is superseded, its (not yet started)
    inspections cancelled and a new seed committed; the next ``plan_draw`` draws again."""
    check_actor(actor, plan.organisation, (Role.HEAD, Role.ADMIN))
    if not (reason or "").strip():
        raise DomainError("redraw_reason_required", "重新抽取必须记录原因。")
    current = plan.current_draw
    if current is None:
        raise TransitionNotAllowed("not_drawn", "计划尚未抽取。")
    if current.inspections.exclude(status=IS.ASSIGNED).exists():
        raise TransitionNotAllowed("inspection_started", "已有检查对象完成检查，不能重新抽取。")
    seed = secrets.token_hex(32)
    sha = draw_algo.seed_hash(seed)
    with transaction.atomic():
        kernel.transition(PLAN_WORKFLOW, plan, "redraw", actor=actor, summary=f"{plan.number} 申请重新抽取：{reason}；新种子承诺值 {sha}",
                          fields={"seed": seed, "seed_sha256": sha, "seed_committed_at": timezone.now(),
                                  "pending_redraw_reason": reason.strip()})
        Draw.objects.filter(pk=current.pk).update(superseded=True)
        for inspection in Inspection.objects.filter(draw=current, status=IS.ASSIGNED).select_related("party"):
            kernel.transition(INSPECTION_WORKFLOW, inspection, "cancel", actor=actor,
                              summary=f"{plan.number} 重新抽取，取消对 {inspection.party.name} 的检查")
    return plan


def verify_draw(d: Draw) -> tuple[bool, list[str]]:
    """Recompute a draw from its stored seed, snapshots and parameters; (ok, findings in Chinese)."""
    findings = []
    ok = True
    if draw_algo.seed_hash(d.seed) != d.seed_sha256:
        ok = False
        findings.append("种子与公布的SHA-256承诺值不符")
    else:
        findings.append(f"种子与承诺值一致（{d.seed_sha256}）")
    if d.algorithm != draw_algo.ALGORITHM:
        ok = False
        findings.append(f"算法版本 {d.algorithm} 与当前 {draw_algo.ALGORITHM} 不同，无法复算")
        return ok, findings
    result = draw_algo.compute(d.seed, d.target_snapshot, d.inspector_snapshot, d.parameters)
    if draw_algo.canonical(result) == draw_algo.canonical(d.result) and draw_algo.result_hash(result) == d.result_sha256:
        findings.append(f"复算结果与记录一致：{len(result['targets'])}户，结果哈希 {d.result_sha256}")
    else:
        ok = False
        findings.append("复算结果与记录不一致")
    recorded = {(i.party_id, tuple(sorted(i.inspectors.values_list("pk", flat=True)))) for i in d.inspections.all()}
    expected = {(t["party_id"], tuple(t["inspectors"])) for t in d.result["targets"]}
    if recorded != expected:
        ok = False
        findings.append("检查记录中的对象或人员与抽取结果不一致")
    return ok, findings


# --- inspection on site ---------------------------------------------------------------------------------------

def _publication_deadline(last_day: date) -> legal_calendar.Deadline:
    rule = PublicationRule.objects.filter(effective_from__lte=last_day).order_by("-effective_from").first()
    days = rule.working_days if rule else 20
    deadline = legal_calendar.add_working_days(last_day, days)
    confirmed = deadline.confirmed and bool(rule and rule.confirmed)
    return legal_calendar.Deadline(deadline.date, confirmed, deadline.unconfirmed_years, f"检查结束后{days}个工作日内公示")


def _maybe_complete(plan: Plan) -> None:
    plan.refresh_from_db()
    live = plan.inspections.exclude(status=IS.CANCELLED)
    if live.filter(status=IS.ASSIGNED).exists():
        if plan.status == P.DRAWN:  # the system's consequence of the first inspection recorded
            kernel.transition(PLAN_WORKFLOW, plan, "start", actor=None, summary=f"{plan.number} 开始检查")
        return
    last = live.aggregate(m=Max("inspected_on"))["m"] or timezone.localdate()
    deadline = _publication_deadline(last)
    kernel.transition(PLAN_WORKFLOW, plan, "complete", actor=None, summary=f"{plan.number} 抽中对象均已检查，{deadline.label}",
                      fields={"publication_deadline": deadline.date, "publication_deadline_confirmed": deadline.confirmed})


def lead_create(*, actor, organisation: Organisation, party: Party | None, source_type: str, source_id, description: str,
                officers=None) -> Lead:
    """Register a lead for a case and hand it to the cases app (``cases.services.lead_register``, idempotent on the
    origin) at once; the Lead row keeps the link (case number). A warning naming no firm has no party to
    register a case against: it stays 待立案 for the case handler."""
    lead, created = Lead.objects.get_or_create(source_type=source_type, source_id=str(source_id), defaults=dict(
        organisation=organisation, party=party, description=description))
    if created:
        kernel.created(LEAD_WORKFLOW, lead, "lead_create", actor=actor, summary=f"登记案件线索：{description[:80]}")
    if lead.status == Lead.Status.PENDING and party is not None:
        try:
            from zhifa.cases.services import lead_register
        except ImportError:
            return lead
        # Inspection findings are 检查发现; class-3 warnings come from the provincial platform (上级交办).
        # A drawn inspector from another unit (a squad) hands the finding over; the case is then registered
        # for the firm's own body as a system hand-over (the inspector is on the lead's own audit event).
        within = actor is not None and actor.organisation_id and organisation.is_within(actor.organisation)
        case = lead_register(actor=actor if within else None, organisation=organisation, source="inspection" if source_type == "inspection" else "assigned",
                             party=party, occurred_at=timezone.now(), place=party.address or organisation.name, facts=description,
                             origin=(f"inspections.{source_type}", str(source_id)), officers=officers)
        kernel.transition(LEAD_WORKFLOW, lead, "lead_register", actor=actor, fields={"case_ref": case.number},
                          summary=f"案件线索移交案件办理，案件 {case.number}")
    return lead


def inspection_record(*, actor, inspection: Inspection, on: date, checks: dict[int, tuple[bool, str]], finding: str,
                      problems: str = "", rectify_days: int = 15, photos=()) -> Inspection:
    """Record an inspection on site: every checklist item of the plan, photos, and the finding (合格 / 责令整改 with
    a 责令改正通知书 and its deadline / 立案 as a lead). The drawn inspectors (≥ 2 with valid certificates,
    行政处罚法 Art. 42) carry it out; the recording user must be one of them."""
    _check_inspector(actor, inspection)
    inspectors = list(inspection.inspectors.all())
    assert_officers_can_act(inspectors, on=on, act="执法检查")
    if actor is not None and actor.pk not in {o.user_id for o in inspectors}:
        raise DomainError("not_assigned", "只有随机抽中的检查人员可以录入该检查记录。")
    items = list(inspection.plan.items.filter(subject_type=inspection.target_type)) or list(inspection.plan.items.all())
    missing = [i.name for i in items if i.pk not in checks]
    if missing:
        raise DomainError("checklist_incomplete", f"以下检查事项未填写结果：{'、'.join(missing)}")
    failing = [i for i in items if not checks[i.pk][0]]
    if finding == Inspection.Finding.PASS and failing:
        raise DomainError("finding_mismatch", "存在不符合项，检查结果不能为“合格”。")
    if finding != Inspection.Finding.PASS and not (problems.strip() or failing):
        raise DomainError("problems_required", "请写明发现的问题。")
    target = {Inspection.Finding.PASS: IS.CLOSED, Inspection.Finding.RECTIFY: IS.RECTIFYING, Inspection.Finding.CASE: IS.REFERRED}.get(finding)
    if target is None:
        raise DomainError("invalid_finding", "检查结果无效。")
    problems = problems.strip() or "；".join(f"{i.name}：{checks[i.pk][1] or '不符合'}" for i in failing)
    extra = {"inspected_on": on, "finding": finding, "problems": problems}
    if target == IS.CLOSED:
        extra["closed_on"] = on
    if target == IS.RECTIFYING:
        extra["rectify_deadline"] = on + timedelta(days=rectify_days)
        # The 责令改正违法行为通知书 and its number come from the documents app (inspections.rectification), never
        # a number made up here.
    with transaction.atomic():
        kernel.transition(INSPECTION_WORKFLOW, inspection, "inspect", actor=actor, target=target, fields=extra,
                          summary=f"检查 {inspection.party.name}：{Inspection.Finding(finding).label}")
        for item in items:
            compliant, note = checks[item.pk]
            CheckResult.objects.create(inspection=inspection, item=item, compliant=compliant, note=note[:300])
        for fileobj, name, content_type in photos:
            ef = evidence_store(actor=actor, organisation=inspection.organisation, fileobj=fileobj, name=name,
                                content_type=content_type, subject=inspection)
            InspectionPhoto.objects.create(inspection=inspection, evidence=ef, caption=name)
        _credit_for_finding(actor, inspection)
        triggers.inspection_recorded(inspection, "inspection_result")  # 互联网+监管: the 双随机 result, same transaction
        if target == IS.REFERRED:
            lead_create(actor=actor, organisation=inspection.organisation, party=inspection.party, source_type="inspection",
                        source_id=inspection.pk, description=f"双随机检查（{inspection.plan.number}）发现：{problems}",
                        officers=inspectors)
        _maybe_complete(inspection.plan)
    return inspection


def _credit_for_finding(actor, inspection: Inspection) -> None:
    from zhifa.credit.models import CreditEvent
    from zhifa.credit.services import credit_event_record

    kind = {Inspection.Finding.RECTIFY: CreditEvent.Kind.FINDING_RECTIFY, Inspection.Finding.CASE: CreditEvent.Kind.FINDING_CASE}.get(inspection.finding)
    if kind is None:
        return
    credit_event_record(actor=None, party=inspection.party, kind=kind, occurred_on=inspection.inspected_on or timezone.localdate(),
                        description=f"双随机检查 {inspection.plan.number}：{inspection.problems[:200]}",
                        source_type="inspections.inspection", source_id=inspection.pk)


def inspection_follow_up(*, actor, inspection: Inspection, on: date, rectified: bool, result: str) -> Inspection:
    """The follow-up visit (回访) after the rectification deadline: rectified → closed; not → a case lead."""
    _check_inspector(actor, inspection)
    if not result.strip():
        raise DomainError("result_required", "请填写回访情况。")
    target = IS.CLOSED if rectified else IS.REFERRED
    with transaction.atomic():
        extra = {"follow_up_on": on, "follow_up_result": result}
        extra.update({"closed_on": on} if rectified else {"finding": Inspection.Finding.CASE})
        kernel.transition(INSPECTION_WORKFLOW, inspection, "follow_up", actor=actor, target=target, fields=extra,
                          summary=f"回访 {inspection.party.name}：{'已整改，办结' if rectified else '未按期整改，移送立案'}")
        if not rectified:
            _credit_for_finding(actor, inspection)
            lead_create(actor=actor, organisation=inspection.organisation, party=inspection.party, source_type="inspection",
                        source_id=inspection.pk, description=f"双随机检查（{inspection.plan.number}）责令整改逾期未改正：{inspection.problems}")
        triggers.inspection_recorded(inspection, "inspection_follow_up")
    return inspection


def inspection_open_case(*, actor, inspection: Inspection) -> Lead:
    """One click from a finding to a case: the inspection (责令整改 in progress) is referred and a lead registered."""
    _check_inspector(actor, inspection)
    if inspection.status == IS.REFERRED:
        return Lead.objects.get(source_type="inspection", source_id=str(inspection.pk))
    with transaction.atomic():
        kernel.transition(INSPECTION_WORKFLOW, inspection, "open_case", actor=actor, fields={"finding": Inspection.Finding.CASE},
                          summary=f"{inspection.party.name} 检查发现问题移送立案")
        _credit_for_finding(actor, inspection)
        return lead_create(actor=actor, organisation=inspection.organisation, party=inspection.party, source_type="inspection",
                           source_id=inspection.pk, description=f"双随机检查（{inspection.plan.number}）发现：{inspection.problems}")


def plan_publish_results(*, actor, plan: Plan, on: date | None = None) -> Plan:
    """Publish the plan's results on the portal (一公开) once every drawn target has been inspected."""
    on = on or timezone.localdate()
    check_actor(actor, plan.organisation, (Role.HEAD, Role.ADMIN, Role.OFFICER))
    plan.refresh_from_db()
    if plan.status != P.COMPLETED:
        raise TransitionNotAllowed("not_completed", "仍有抽中对象未完成检查，不能公示结果。")
    late = plan.publication_deadline and on > plan.publication_deadline
    with transaction.atomic():
        kernel.transition(PLAN_WORKFLOW, plan, "publish", actor=actor, fields={"results_published_on": on},
                          summary=f"公示 {plan.number} 抽查结果" + ("（已超过公示期限）" if late else ""))
    return plan


def conflict_declare(*, actor, officer: Officer, party: Party, relation: str, note: str = "") -> ConflictDeclaration:
    """Declare a relation between an inspector and a firm; the inspector is then never drawn for that firm."""
    check_actor(actor, officer.organisation, (Role.OFFICER, Role.HEAD, Role.ADMIN))
    with transaction.atomic():
        decl, _ = ConflictDeclaration.objects.update_or_create(officer=officer, party=party, defaults={"relation": relation, "note": note})
        audit.record(actor=actor, action="inspections.conflict_declare", subject=decl, after=audit.snapshot(decl),
                     summary=f"{officer.name} 申报与 {party.name} 的回避关系", organisation=officer.organisation)
    return decl


# --- warnings (预警抄告) ------------------------------------------------------------------------------------

WARNING_FIELDS = ("external_id", "warning_class", "category", "description", "occurred_at")


def warning_import(*, actor, organisation: Organisation, rows: list[dict], source: str, on: date | None = None) -> dict:
    """Import warnings from the provincial platform (by API or file). Rows already imported (same provincial
    id) are skipped, so a re-sent batch never double counts. Returns {created, skipped, errors}."""
    on = on or timezone.localdate()
    check_actor(actor, organisation)
    created, skipped, errors = 0, 0, []
    with transaction.atomic():
        for n, row in enumerate(rows, 1):
            missing = [f for f in WARNING_FIELDS if not str(row.get(f, "")).strip()]
            if missing:
                labels = [str(ProvincialWarning._meta.get_field(f).verbose_name) for f in missing]
                errors.append(f"第{n}行缺少：{'、'.join(labels)}")
                continue
            try:
                cls = int(row["warning_class"])
                assert cls in (1, 2, 3)
            except (ValueError, AssertionError):
                errors.append(f"第{n}行预警类别应为1、2或3")
                continue
            if ProvincialWarning.objects.filter(external_id=str(row["external_id"]).strip()).exists():
                skipped += 1
                continue
            party = None
            code = str(row.get("credit_code", "")).strip().upper()
            if code:
                party = Party.objects.filter(credit_code=code, organisation__path__startswith=organisation.path).first()
            occurred = row["occurred_at"]
            if isinstance(occurred, str):
                from django.utils.dateparse import parse_datetime

                occurred = parse_datetime(occurred) or timezone.now()
            if timezone.is_naive(occurred):
                occurred = timezone.make_aware(occurred)
            w = ProvincialWarning.objects.create(
                organisation=(party.organisation if party else organisation), external_id=str(row["external_id"]).strip(),
                warning_class=cls, category=str(row["category"])[:60], description=str(row["description"])[:500], party=party,
                plate=str(row.get("plate", ""))[:12], occurred_at=occurred, received_on=row.get("received_on") or on, source=source)
            created += 1
            if party is not None:
                from zhifa.credit.models import CreditEvent
                from zhifa.credit.services import credit_event_record

                credit_event_record(actor=None, party=party, kind=CreditEvent.Kind.WARNING, occurred_on=w.received_on,
                                    warning_class=cls, description=f"{w.get_warning_class_display()}预警：{w.category}",
                                    source_type="inspections.warning", source_id=w.pk)
        audit.record(actor=actor, action="inspections.warning_import", subject=("inspections.warning_batch", f"{on}-{source}", "预警导入"),
                     changes={"created": created, "skipped": skipped, "errors": len(errors), "source": source},
                     summary=f"导入省平台预警 {created} 条（重复 {skipped} 条，错误 {len(errors)} 条）", organisation=organisation)
    return {"created": created, "skipped": skipped, "errors": errors}


def warning_notify(*, actor, warning: ProvincialWarning, deadline: date, note: str) -> ProvincialWarning:
    """Class 1 and 2 (seed 000: 公司需要整改): a rectification notice to the firm with a deadline."""
    check_actor(actor, warning.organisation)
    if warning.warning_class == 3:
        raise DomainError("class3_is_case", "三类预警须移交立案查处，不适用整改通知。")
    if not note.strip():
        raise DomainError("note_required", "请填写整改通知内容。")
    return kernel.transition(WARNING_WORKFLOW, warning, "warning_notify", actor=actor,
                             fields={"rectify_deadline": deadline, "notice_note": note},
                             summary=f"预警 {warning.external_id} 通知整改，期限 {deadline}")


def warning_refer(*, actor, warning: ProvincialWarning) -> Lead:
    """Class 3 (seed 000: 需要执法部门进行查处): a lead for a case."""
    check_actor(actor, warning.organisation)
    if warning.warning_class != 3:
        raise DomainError("not_class3", "只有三类预警移交立案；一、二类预警应通知企业整改。")
    with transaction.atomic():
        kernel.transition(WARNING_WORKFLOW, warning, "warning_refer", actor=actor, summary=f"三类预警 {warning.external_id} 移交立案")
        return lead_create(actor=actor, organisation=warning.organisation, party=warning.party, source_type="warning",
                           source_id=warning.pk, description=f"三类预警（{warning.external_id}）{warning.category}：{warning.description}")


def warning_close(*, actor, warning: ProvincialWarning, result: str, on: date | None = None) -> ProvincialWarning:
    """Close a warning after the follow-up (class 1/2) or after the lead was handled (class 3)."""
    on = on or timezone.localdate()
    check_actor(actor, warning.organisation)
    if not result.strip():
        raise DomainError("result_required", "请填写处置结果。")
    with transaction.atomic():
        kernel.transition(WARNING_WORKFLOW, warning, "warning_close", actor=actor, summary=f"预警 {warning.external_id} 办结",
                          fields={"follow_up_result": result, "closed_on": on})
        # A class-3 warning naming no firm could not become a case; closing it records how it was handled.
        for lead in Lead.objects.filter(source_type="warning", source_id=str(warning.pk), status=Lead.Status.PENDING):
            kernel.transition(LEAD_WORKFLOW, lead, "lead_handle", actor=actor,
                              summary=f"预警 {warning.external_id} 办结，案件线索随之办结：{result[:80]}")
        triggers.warning_closed(warning)  # the reply to the provincial platform (a warning received by API)
    return warning
