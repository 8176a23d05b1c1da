"""Transition tables of the inspections app, moved by the workflow kernel (``zhifa.core.workflow``): the plan
(双随机: seed committed, drawn, inspected, completed, results published), each drawn inspection, each provincial
warning (预警抄告) and each lead for a case (案件线索). Every state change in ``services`` names its action here (the
action is also the name of its record, ``inspections.<action>``); anything not in the table is refused
(``TransitionNotAllowed``). Each move appends a step to the model's history (``PlanStep``, ``InspectionStep``,
``WarningStep``, ``LeadStep``)."""

from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction
from zhifa.core.workflow import NEW, SYSTEM, Transition, Workflow

from .models import Inspection, Lead, Plan, ProvincialWarning

P, IS, W, L = Plan.Status, Inspection.Status, ProvincialWarning.Status, Lead.Status
PLANNERS = (Role.OFFICER, Role.HEAD, Role.ADMIN, SYSTEM)
KEEPERS = (Role.HEAD, Role.ADMIN, SYSTEM)
INSPECTORS = (Role.OFFICER, Role.HEAD, SYSTEM)

_PLAN_MOVES = [
    Transition("plan_create", "制定抽查计划", {NEW}, P.DRAFT, PLANNERS),
    Transition("seed_commit", "公布随机种子承诺值", {P.DRAFT}, P.COMMITTED, PLANNERS),
    Transition("draw", "抽取", {P.COMMITTED}, P.DRAWN, PLANNERS),  # the draw reveals the seed
    # redraw: only with a recorded reason; a new seed is committed
    Transition("redraw", "重新抽取", {P.DRAWN}, P.COMMITTED, KEEPERS),
    # consequences of the inspections recorded, taken by the system
    Transition("start", "开始检查", {P.DRAWN}, P.INSPECTING, (SYSTEM,)),
    Transition("complete", "检查完毕", {P.DRAWN, P.INSPECTING}, P.COMPLETED, (SYSTEM,)),
    Transition("publish", "公示抽查结果", {P.COMPLETED}, P.PUBLISHED, PLANNERS),
]

_INSPECTION_MOVES = [
    # 合格 / 责令整改 (notice with deadline) / 立案 (lead handed to case handling)
    Transition("inspect", "录入检查结果", {IS.ASSIGNED}, roles=INSPECTORS, targets={IS.CLOSED, IS.RECTIFYING, IS.REFERRED}),
    # follow-up: rectified → closed; not rectified by the deadline → case
    Transition("follow_up", "整改回访", {IS.RECTIFYING}, roles=INSPECTORS, targets={IS.CLOSED, IS.REFERRED}),
    Transition("open_case", "移送立案", {IS.RECTIFYING}, IS.REFERRED, INSPECTORS),
    Transition("cancel", "取消检查", {IS.ASSIGNED}, IS.CANCELLED, KEEPERS),  # the draw was redone
]

_WARNING_MOVES = [
    Transition("warning_notify", "通知整改", {W.RECEIVED}, W.NOTIFIED, PLANNERS),  # class 1/2: rectification notice
    Transition("warning_refer", "移交立案", {W.RECEIVED}, W.REFERRED, PLANNERS),  # class 3: lead for a case
    Transition("warning_close", "办结", {W.NOTIFIED, W.REFERRED}, W.CLOSED, PLANNERS),
]

# A lead is made and moved by the services of its source (an inspection finding, a class-3 warning), which have
# checked the actor's role there; the table names no roles.
_LEAD_MOVES = [
    Transition("lead_create", "登记案件线索", {NEW}, L.PENDING),
    Transition("lead_register", "移交案件办理", {L.PENDING}, L.REGISTERED),  # the case is registered (cases.lead_register)
    Transition("lead_handle", "随预警办结", {L.PENDING}, L.HANDLED),  # a class-3 warning naming no firm, closed
]


def inspection_jurisdiction(actor, inspection: Inspection) -> None:
    """A drawn inspector acts on their inspection wherever they sit (a squad officer drawn for a brigade's firm);
    anybody else needs the inspection's unit in their jurisdiction. The one rule the pages and services use."""
    if actor is None or inspection.inspectors.filter(user=actor).exists():
        return
    assert_in_jurisdiction(actor, inspection.organisation)


def lead_jurisdiction(actor, lead: Lead) -> None:
    """Who may act on a lead is who may act on its source: the drawn inspector of the inspection it came from
    (``inspection_jurisdiction``), else the lead's unit within the actor's jurisdiction."""
    if actor is None:
        return
    if lead.source_type == "inspection":
        inspection = Inspection.objects.filter(pk=lead.source_id).first()
        if inspection is not None:
            inspection_jurisdiction(actor, inspection)
            return
    assert_in_jurisdiction(actor, lead.organisation)


_WORDS = {"refused": "{noun}当前状态不允许此操作。", "concurrent": "{noun}状态已被他人改变，请刷新后重试。"}

PLAN_WORKFLOW = Workflow(
    name="inspection plans", model="inspections.Plan", history="inspections.PlanStep", history_subject="plan",
    audit_prefix="inspections.", noun="抽查计划", states=P,
    transitions=_PLAN_MOVES, audit_exclude={"seed"}, **_WORDS,  # the seed stays secret until the draw reveals it
)
INSPECTION_WORKFLOW = Workflow(
    name="inspections", model="inspections.Inspection", history="inspections.InspectionStep", history_subject="inspection",
    audit_prefix="inspections.", noun="检查记录", states=IS,
    transitions=_INSPECTION_MOVES, jurisdiction=inspection_jurisdiction, **_WORDS,
)
WARNING_WORKFLOW = Workflow(
    name="warnings", model="inspections.ProvincialWarning", history="inspections.WarningStep", history_subject="warning",
    audit_prefix="inspections.", noun="预警", states=W, transitions=_WARNING_MOVES, **_WORDS,
)
LEAD_WORKFLOW = Workflow(
    name="leads", model="inspections.Lead", history="inspections.LeadStep", history_subject="lead",
    audit_prefix="inspections.", noun="案件线索", states=L, transitions=_LEAD_MOVES, jurisdiction=lead_jurisdiction,
    **_WORDS,
)
PLAN = PLAN_WORKFLOW.transitions
INSPECTION = INSPECTION_WORKFLOW.transitions
WARNING = WARNING_WORKFLOW.transitions
LEAD = LEAD_WORKFLOW.transitions
