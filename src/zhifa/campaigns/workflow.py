"""Transition table of enforcement operations, moved by the workflow kernel (``zhifa.core.workflow``): the moves
(register, start, conclude, cancel) and the acts that keep the state but are only allowed in some states (edit,
link or unlink a case, attach a file). Anything not in the table is refused (``TransitionNotAllowed``)."""

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, Transition, Workflow

from .models import Operation

S = Operation.Status
HANDLERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
KEEPERS = (Role.HEAD, Role.ADMIN)

_MOVES = [
    Transition("create", "登记", {NEW}, S.PLANNED, HANDLERS),
    Transition("start", "开始实施", {S.PLANNED}, S.IN_PROGRESS, HANDLERS),
    Transition("conclude", "结束", {S.IN_PROGRESS}, S.CONCLUDED, HANDLERS),
    Transition("cancel", "取消", {S.PLANNED, S.IN_PROGRESS}, S.CANCELLED, KEEPERS),
]
_ACTS = [
    Transition("update", "修改", {S.PLANNED, S.IN_PROGRESS}, None, HANDLERS),
    # Cases are often opened days after the action, so they may still be linked once it is concluded.
    Transition("link_case", "关联立案案件", {S.IN_PROGRESS, S.CONCLUDED}, None, HANDLERS),
    Transition("unlink_case", "取消关联案件", {S.IN_PROGRESS, S.CONCLUDED}, None, HANDLERS),
    Transition("attach", "上传附件", {S.PLANNED, S.IN_PROGRESS, S.CONCLUDED}, None, HANDLERS),
]


def operation_snapshot(op: Operation) -> dict:
    """The operation's fields and its links, for before/after in the full-process record."""
    from zhifa.core import audit

    data = audit.snapshot(op)
    data["partners"] = sorted(op.partner_links.values_list("department_id", flat=True)) if op.pk else []
    data["officers"] = sorted(op.officer_links.values_list("officer_id", flat=True)) if op.pk else []
    data["materials"] = dict(op.materials.values_list("kind", "quantity")) if op.pk else {}
    return data


WORKFLOW = Workflow(
    name="campaigns", model="campaigns.Operation", history="campaigns.OperationStep", history_subject="operation",
    audit_prefix="campaigns.", noun="执法行动", states=S, transitions=_MOVES, acts=_ACTS, snapshot=operation_snapshot,
    refused="{noun}当前为“{state}”，不能执行此操作。", concurrent="该执法行动的状态已被他人改变，请刷新后重试。",
)
TRANSITIONS = WORKFLOW.transitions
allowed = WORKFLOW.allowed  # (action, status) → bool, what the pages offer

# Operations that took place: what the report and the dashboards count.
COUNTED = (S.IN_PROGRESS, S.CONCLUDED)
