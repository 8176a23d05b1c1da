"""The transition tables of oversight, moved by the workflow kernel (``zhifa.core.workflow``): the evaluation round
(评查批次: created, drawn, closed, by the organisers) and the problem list (问题清单流转). A problem reaches 已销号 only
through a 回头看 re-check (常德 measure 4: 适时开展“回头看”，确保整改到位); there is no other way to close it. Who may
take an action on a problem is not a role alone (the owner rectifies, an overseer who is not the owner re-checks), so
the problem table names no roles and ``may_act`` is the one rule the pages and the services use."""

from zhifa.core.errors import TransitionNotAllowed
from zhifa.core.roles import Role, has_role
from zhifa.core.workflow import NEW, Transition, Workflow

from .models import EvaluationRound, Problem

S = Problem.Status
OVERSEERS = (Role.SUPERVISOR, Role.HEAD)
ORGANISERS = (Role.SUPERVISOR, Role.HEAD, Role.ADMIN)

R = EvaluationRound.Status
_ROUND_MOVES = [
    Transition("create", "创建评查批次", {NEW}, R.DRAFT, ORGANISERS),
    Transition("draw", "随机抽取案卷", {R.DRAFT}, R.DRAWN, ORGANISERS),  # the seed is recorded: the draw can be repeated
    Transition("close", "结束评查", {R.DRAWN}, R.CLOSED, ORGANISERS),  # only when every drawn file is scored
]
ROUND_WORKFLOW = Workflow(
    name="evaluation rounds", model="oversight.EvaluationRound", history="oversight.RoundStep", history_subject="round",
    audit_prefix="evaluation_round.", noun="评查批次", states=R, transitions=_ROUND_MOVES,
    refused="{noun}处于“{state}”状态，不能{label}。", concurrent="评查批次状态已被他人改变，请刷新后重试。",
)

_MOVES = [
    Transition("create", "登记问题", {NEW}, S.OPEN),
    Transition("start", "开始整改", {S.OPEN}, S.RECTIFYING),  # 责任人开始整改
    Transition("report", "报告整改完成", {S.OPEN, S.RECTIFYING}, S.RECTIFIED),  # 立行立改, or after rectifying
    Transition("recheck_pass", "回头看：整改到位，销号", {S.RECTIFIED}, S.CLOSED),
    Transition("recheck_fail", "回头看：整改不到位，退回", {S.RECTIFIED}, S.RECTIFYING),
]
_ACTS = [
    Transition("extend", "延长整改期限", set(Problem.OPEN_STATUSES), None),
]

WORKFLOW = Workflow(
    name="oversight problems", model="oversight.Problem", history="oversight.ProblemStep", history_subject="problem",
    audit_prefix="problem.", noun="问题", states=S, transitions=_MOVES, acts=_ACTS,
    refused="{noun}处于“{state}”状态，不能执行“{label}”。", concurrent="问题状态已被他人改变，请刷新后重试。",
)
# (from status, action) → to status: the table in its former shape, for its readers (registration left out)
TRANSITIONS: dict[tuple[str, str], str] = {
    (source, t.action): t.target for t in WORKFLOW.transitions.values() for source in t.sources if source != NEW
}
ACTION_LABELS = {t.action: t.label for t in (*_MOVES, *_ACTS)}
OWNER_ACTIONS = ("start", "report")  # the rectification itself; the 回头看 is every other move


def may_act(user, problem: Problem, action: str) -> bool:
    """Who may take ``action`` on ``problem`` — one rule for the page's buttons and the service: start/report, the
    owner or an overseer; the 回头看 (recheck_pass / recheck_fail), an overseer who is not the owner (常德 measure 4:
    the owner cannot sign off their own rectification); an extension, an overseer. Jurisdiction is checked apart
    (the kernel's ``check_jurisdiction``)."""
    if action in OWNER_ACTIONS:
        return user.pk == problem.owner_id or has_role(user, *OVERSEERS)
    if action == "extend":
        return has_role(user, *OVERSEERS)
    return has_role(user, *OVERSEERS) and user.pk != problem.owner_id


def target(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``, or TransitionNotAllowed (the table's own words)."""
    if action not in WORKFLOW.transitions:  # an unknown action, or the extension (an act, not a move)
        raise TransitionNotAllowed("transition_not_allowed", WORKFLOW.refused.format(
            noun=WORKFLOW.noun, state=WORKFLOW.state_label(status), label=ACTION_LABELS.get(action, action)))
    return WORKFLOW.check(action, status, None).target


def actions_from(status: str) -> list[str]:
    """The moves offered from ``status`` (an extension is offered apart)."""
    return [action for (source, action) in TRANSITIONS if source == status]
