"""The explicit transition table of a coercive measure (行政强制措施). Every state change in ``services`` looks its
action up here: the states it may start from, the state it leads to and the roles that may take it. ``NEW`` is the
source of the two actions that create a measure. Anything not in the table is refused (``TransitionNotAllowed``).
The moves themselves go through the workflow kernel (``zhifa.core.workflow``) with ``WORKFLOW``."""

from django.db import models

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, Transition, Workflow


class Status(models.TextChoices):
    APPLIED = "applied", "已报批（待负责人批准）"
    APPROVED = "approved", "已批准（待实施）"
    NOT_APPROVED = "not_approved", "不予批准"
    EMERGENCY = "emergency", "当场实施（待报告负责人）"
    REPORTED = "reported", "已报告（待补办批准）"
    IN_FORCE = "in_force", "实施中"
    EXTENDED = "extended", "已延长期限"
    RELEASED = "released", "已解除"
    DISPOSED = "disposed", "已依法处理（没收）"


S = Status
OFFICER, HEAD = Role.OFFICER, Role.HEAD

# States in which the measure binds the party's property and its period runs (Art. 25).
RUNNING = frozenset({S.EMERGENCY, S.REPORTED, S.IN_FORCE, S.EXTENDED})
ENDED = frozenset({S.NOT_APPROVED, S.RELEASED, S.DISPOSED})


def _t(action, label, sources, target, roles):
    return Transition(action, label, sources, target, roles)  # target None: an act that keeps the state


_MOVES = [
    # 行政强制法 Art. 18(一): report to the head and obtain approval before the measure is taken.
    _t("apply", "报请批准", {NEW}, S.APPLIED, (OFFICER,)),
    _t("approve", "批准实施", {S.APPLIED}, S.APPROVED, (HEAD,)),
    _t("refuse", "不予批准", {S.APPLIED}, S.NOT_APPROVED, (HEAD,)),
    _t("take", "实施（制作决定书和清单）", {S.APPROVED}, S.IN_FORCE, (OFFICER,)),
    # Art. 19: an emergency measure taken on the spot, reported within 24 hours, approval completed afterwards.
    _t("take_emergency", "情况紧急当场实施", {NEW}, S.EMERGENCY, (OFFICER,)),
    _t("report", "报告负责人（二十四小时内）", {S.EMERGENCY}, S.REPORTED, (OFFICER,)),
    _t("confirm", "补办批准", {S.REPORTED}, S.IN_FORCE, (HEAD,)),
    # Art. 25: extended once, with the head's approval.
    _t("extend", "延长期限", {S.IN_FORCE}, S.EXTENDED, (HEAD,)),
    # Art. 19 (the head disagrees), Art. 28 (release) and Art. 27 (confiscation by the decision in the case).
    _t("release", "解除", RUNNING, S.RELEASED, (HEAD,)),
    _t("dispose", "依法没收（依处理决定）", {S.IN_FORCE, S.EXTENDED}, S.DISPOSED, (HEAD,)),
]

# Acts that keep the state but are only allowed in some states.
_ACTS = [
    # Art. 25 ¶3: testing, inspection, quarantine or appraisal time is not counted in the period.
    _t("pause", "检测、检验、检疫或者技术鉴定（期间不计入）", {S.IN_FORCE, S.EXTENDED}, None, (OFFICER, HEAD)),
    _t("resume", "检测鉴定结束", {S.IN_FORCE, S.EXTENDED}, None, (OFFICER, HEAD)),
]

WORKFLOW = Workflow(
    name="coercion", model="coercion.Measure", history="coercion.MeasureStep", history_subject="measure",
    audit_prefix="coercion.", noun="该行政强制措施", states=Status, transitions=_MOVES, acts=_ACTS,
    refused="{noun}当前为“{state}”，不能{label}。",
)
TRANSITIONS: dict[str, Transition] = WORKFLOW.transitions
ACTS: dict[str, Transition] = WORKFLOW.acts
get = WORKFLOW.get
next_actions = WORKFLOW.next_actions  # moves and acts available from a status (the detail page shows only these)
