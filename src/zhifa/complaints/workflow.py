"""Transition tables of complaints and mediations, moved by the workflow kernel (``zhifa.core.workflow``): every
state change in ``services`` names its action here; anything not in the table is refused
(``TransitionNotAllowed``). The system (``actor=None``: the public form, the hotline import, a routing rule) may
take every action, as the services always allowed."""

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, SYSTEM, Transition, Workflow

from .models import Complaint, Mediation

HANDLERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
_ANYONE = (*HANDLERS, SYSTEM)

S = Complaint.Status
_COMPLAINT_MOVES = [
    Transition("intake", "受理", {NEW}, S.RECEIVED, _ANYONE),
    # received → assigned; a reassignment keeps assigned, and a reopened complaint stays reopened
    Transition("assign", "分派", {S.RECEIVED, S.ASSIGNED, S.REOPENED}, roles=_ANYONE, targets={S.ASSIGNED, S.REOPENED}),
    Transition("reply", "答复", {S.RECEIVED, S.ASSIGNED, S.REOPENED}, S.REPLIED, _ANYONE),
    Transition("visit_satisfied", "回访办结", {S.REPLIED}, S.CLOSED, _ANYONE),
    Transition("visit_dissatisfied", "回访不满意", {S.REPLIED}, S.REOPENED, _ANYONE),
    Transition("close", "办结", {S.REPLIED}, S.CLOSED, _ANYONE),
]

COMPLAINT_WORKFLOW = Workflow(
    name="complaints", model="complaints.Complaint", history="complaints.ComplaintStep", history_subject="complaint",
    audit_prefix="complaint.", noun="投诉", states=S, transitions=_COMPLAINT_MOVES,
    refused="{noun}当前为“{state}”，不能执行该操作。", concurrent="该投诉已被他人处理，请刷新后重试。",
)
COMPLAINT_TRANSITIONS = COMPLAINT_WORKFLOW.transitions

M = Mediation.Status
_MEDIATION_MOVES = [
    Transition("apply", "登记调解申请", {NEW}, M.APPLIED, _ANYONE),
    Transition("accept", "受理", {M.APPLIED}, M.ACCEPTED, _ANYONE),
    Transition("refuse", "不予受理", {M.APPLIED}, M.REFUSED, _ANYONE),
    Transition("agree", "达成协议", {M.ACCEPTED}, M.AGREED, _ANYONE),
    Transition("fail", "调解不成", {M.ACCEPTED}, M.FAILED, _ANYONE),
    Transition("close", "结案", {M.AGREED, M.FAILED, M.REFUSED}, M.CLOSED, _ANYONE),
]
_MEDIATION_ACTS = [
    Transition("session", "记录调解会", {M.ACCEPTED}, None, _ANYONE),
]

MEDIATION_WORKFLOW = Workflow(
    name="mediations", model="complaints.Mediation", history="complaints.MediationStep", history_subject="mediation",
    audit_prefix="mediation.", noun="调解", states=M,
    transitions=_MEDIATION_MOVES, acts=_MEDIATION_ACTS,
    refused="{noun}当前为“{state}”，不能执行该操作。", concurrent="该调解已被他人处理，请刷新后重试。",
)
MEDIATION_TRANSITIONS = MEDIATION_WORKFLOW.transitions
