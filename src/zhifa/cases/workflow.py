"""The explicit transition table of a case. Every state change in ``services`` looks its action up here:
which states it may start from, which state it leads to, and which roles may take it. Anything not in the
table is refused (``TransitionNotAllowed``). The moves themselves go through the workflow kernel
(``zhifa.core.workflow.transition``) with ``WORKFLOW``."""

from django.db import models

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, Transition, Workflow


class Status(models.TextChoices):
    LEAD = "lead", "线索登记"
    NOT_OPENED = "not_opened", "不予立案"
    OPENED = "opened", "已立案（调查取证）"
    INVESTIGATED = "investigated", "调查终结（待审查）"
    LEGAL_REVIEW = "legal_review", "法制审核"
    REVIEWED = "reviewed", "审查完毕（待告知）"
    NOTIFIED = "notified", "已告知（陈述申辩期）"
    HEARING = "hearing", "听证"
    HEARD = "heard", "听证结束"
    DECIDED = "decided", "已决定（待送达）"
    EXECUTION = "execution", "执行中"
    EXECUTED = "executed", "执行完毕"
    CLOSED = "closed", "已结案"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "撤销立案"
    TRANSFERRED = "transferred", "已移送"
    REVOKED = "revoked", "决定已撤销"


S = Status
OFFICER, HEAD, REVIEWER = Role.OFFICER, Role.HEAD, Role.REVIEWER

# States in which the case is under investigation/decision and the 90-day clock runs (行政处罚法 Art. 60).
PENDING_DECISION = frozenset({S.OPENED, S.INVESTIGATED, S.LEGAL_REVIEW, S.REVIEWED, S.NOTIFIED, S.HEARING, S.HEARD})
FINAL = frozenset({S.ARCHIVED})
# States of a case still being handled (lists' "open only", the at-risk lists, the daily overdue job); a tuple in
# the Status order, so the partial index on open cases and the queries that use it name the same list.
OPEN_STATES = tuple(s for s in Status.values
                    if s not in FINAL | {S.NOT_OPENED, S.WITHDRAWN, S.TRANSFERRED, S.REVOKED, S.CLOSED})


def _t(action, label, sources, target, roles, targets=()):
    # target None: an act keeping the state, or (with ``targets``) a move whose target the service chooses
    return Transition(action, label, sources, target, roles, targets)


_MOVES = [
    _t("open", "批准立案", {S.LEAD}, S.OPENED, (HEAD,)),
    _t("decline", "不予立案", {S.LEAD}, S.NOT_OPENED, (HEAD,)),
    _t("report", "提交调查终结报告", {S.OPENED}, S.INVESTIGATED, (OFFICER,)),
    # Internal review by the head: to legal review when required (Art. 58), else straight to 审查完毕; or back.
    # From HEARD: a case that went through a hearing needs legal review before the decision (Art. 58 ¶1(2)); from
    # REVIEWED: a penalty that became major (catalogue amount/kind) is sent to legal review before the notice.
    _t("internal_review", "审查调查终结报告", {S.INVESTIGATED, S.HEARD, S.REVIEWED}, None, (HEAD,), {S.LEGAL_REVIEW, S.REVIEWED, S.OPENED}),
    _t("legal_review", "法制审核", {S.LEGAL_REVIEW}, None, (REVIEWER,), {S.REVIEWED, S.OPENED, S.HEARD}),
    _t("notify", "告知拟处罚（违法行为通知书）", {S.REVIEWED}, S.NOTIFIED, (OFFICER,)),
    _t("hearing_request", "当事人申请听证", {S.NOTIFIED}, S.HEARING, (OFFICER,)),
    _t("hearing_hold", "举行听证", {S.HEARING}, S.HEARD, (OFFICER,)),
    _t("decide", "作出决定", {S.NOTIFIED, S.HEARD}, S.DECIDED, (HEAD,)),
    _t("no_penalty", "不予行政处罚决定", {S.REVIEWED, S.NOTIFIED, S.HEARD}, S.DECIDED, (HEAD,)),
    _t("deliver", "送达决定书", {S.DECIDED}, None, (OFFICER,), {S.EXECUTION, S.EXECUTED}),
    _t("paid", "罚款缴清", {S.EXECUTION}, S.EXECUTED, ()),  # the payment system (actor may be None)
    _t("close", "结案", {S.EXECUTED}, S.CLOSED, (HEAD,)),
    _t("withdraw", "撤销立案", {S.OPENED, S.INVESTIGATED, S.LEGAL_REVIEW, S.REVIEWED}, S.WITHDRAWN, (HEAD,)),
    _t("transfer", "移送", {S.OPENED, S.INVESTIGATED, S.REVIEWED}, S.TRANSFERRED, (HEAD,)),
    _t("revoke", "撤销处罚决定", {S.DECIDED, S.EXECUTION, S.EXECUTED, S.CLOSED}, S.REVOKED, (HEAD,)),
    _t("archive", "归档", {S.CLOSED, S.NOT_OPENED, S.WITHDRAWN, S.TRANSFERRED, S.REVOKED}, S.ARCHIVED, (HEAD, OFFICER)),
]

# Acts that do not move the state but are only allowed in some states (checked like transitions).
_ACTS = [
    _t("transcript", "制作笔录", PENDING_DECISION - {S.HEARD} | {S.LEAD}, None, (OFFICER,)),
    _t("evidence", "登记证据", PENDING_DECISION | {S.LEAD}, None, (OFFICER,)),
    _t("provisions", "写明违反条款和处罚依据", PENDING_DECISION | {S.LEAD}, None, (OFFICER, HEAD)),
    _t("statement", "记录陈述申辩", {S.NOTIFIED, S.HEARING, S.HEARD}, None, (OFFICER,)),
    _t("waive", "当事人放弃陈述申辩和听证", {S.NOTIFIED}, None, (OFFICER,)),
    _t("hearing_schedule", "通知听证", {S.HEARING}, None, (OFFICER,)),
    _t("discovery", "记录发现日期/违法行为终了日期", {S.LEAD, S.OPENED, S.INVESTIGATED}, None, (OFFICER, HEAD)),
    _t("set_review", "设定法制审核/集体讨论", {S.LEAD, S.OPENED, S.INVESTIGATED, S.HEARD}, None, (HEAD,)),
    _t("discuss", "集体讨论", PENDING_DECISION, None, (HEAD,)),
    # 罚款幅度核对 by a legal reviewer after the review, before the decision (a review predating the check, or a
    # fine or provision changed since): the case keeps its state (行政处罚法 Arts. 4, 58).
    _t("range_check", "记录罚款幅度核对", {S.REVIEWED, S.NOTIFIED, S.HEARING, S.HEARD}, None, (REVIEWER,)),
    _t("extend", "延长办案期限", PENDING_DECISION, None, (HEAD,)),
    _t("suspend", "中止办案期限", PENDING_DECISION, None, (OFFICER, HEAD)),
    _t("resume", "恢复计算办案期限", PENDING_DECISION, None, (OFFICER, HEAD)),
    _t("correct", "补正决定书", {S.EXECUTION, S.EXECUTED, S.CLOSED}, None, (HEAD,)),
    # The four lists (行政处罚法 Art. 32, 33): record the list and its facts, the party's signed commitment.
    _t("list_apply", "适用四张清单", PENDING_DECISION, None, (OFFICER, HEAD)),
    _t("commitment_sign", "当事人签署告知承诺书", PENDING_DECISION, None, (OFFICER,)),
    # 行政处罚法 Art. 56: registered preservation with the head's approval, decided within 7 working days; sampling.
    _t("preserve", "先行登记保存（申请）", PENDING_DECISION - {S.HEARD}, None, (OFFICER,)),
    _t("preserve_approve", "批准先行登记保存", PENDING_DECISION | {S.DECIDED}, None, (HEAD,)),
    _t("preserve_decide", "先行登记保存处理决定", PENDING_DECISION | {S.DECIDED, S.EXECUTION, S.EXECUTED}, None, (HEAD,)),
    _t("sample", "抽样取证", PENDING_DECISION - {S.HEARD}, None, (OFFICER,)),
    # 行政强制法 Arts. 34-51: the agency's own enforcement of a delivered decision (where a law gives the power).
    _t("execute", "行政强制执行", {S.EXECUTION, S.EXECUTED}, None, (HEAD,)),
]


def _report(case, action: str) -> None:
    """The outbox (integrations app) decides whether the act is reported to the supervision platform; the message
    is written in the move's transaction."""
    from zhifa.integrations.triggers import case_changed

    case_changed(case, action)


WORKFLOW = Workflow(
    name="case", model="cases.Case", history="cases.StatusChange", history_subject="case", audit_prefix="case.",
    noun="案件", states=Status, transitions=_MOVES, acts=_ACTS, touch="updated_at", on_move=_report,
    concurrent="案件状态已被他人更改，请刷新后重试。",
)
TRANSITIONS: dict[str, Transition] = WORKFLOW.transitions
ACTS: dict[str, Transition] = WORKFLOW.acts
allowed = WORKFLOW.allowed
next_actions = WORKFLOW.next_actions  # moves and acts available from a status (the case page shows only these)


# --- evidence preservation (先行登记保存) and sampling (抽样取证) of a case ---------------------------------


class PreservationStatus(models.TextChoices):
    """The states of a preservation or a sampling (``EvidencePreservation.Status``)."""

    REQUESTED = "requested", "待负责人批准"
    REFUSED = "refused", "负责人不予批准"
    PRESERVED = "preserved", "登记保存中"
    RELEASED = "released", "已解除登记保存"
    HANDLED = "handled", "已作出处理决定"
    SAMPLED = "sampled", "已抽样取证"


PS = PreservationStatus
# 行政处罚法 Art. 56: preservation with the head's approval, decided (released or otherwise handled) within 7 working
# days; sampling is recorded once, on its voucher. Each act is also an act of the case (``_ACTS`` above: preserve,
# preserve_approve, preserve_decide, sample), checked against the case's state and recorded in its history.
_PRESERVATION_MOVES = [
    Transition("request", "申请先行登记保存", {NEW}, PS.REQUESTED, (OFFICER,)),
    Transition("approve", "批准先行登记保存", {PS.REQUESTED}, PS.PRESERVED, (HEAD,)),
    Transition("refuse", "不予批准先行登记保存", {PS.REQUESTED}, PS.REFUSED, (HEAD,)),
    Transition("release", "解除证据登记保存", {PS.PRESERVED}, PS.RELEASED, (HEAD,)),
    Transition("handle", "对登记保存的证据作出处理决定", {PS.PRESERVED}, PS.HANDLED, (HEAD,)),
    Transition("sample", "抽样取证", {NEW}, PS.SAMPLED, (OFFICER,)),
]

PRESERVATION_WORKFLOW = Workflow(
    name="evidence preservation", model="cases.EvidencePreservation", history="cases.PreservationStep",
    history_subject="preservation", audit_prefix="preservation.", noun="该先行登记保存", states=PreservationStatus,
    transitions=_PRESERVATION_MOVES, organisation=lambda p: p.case.organisation,
    refused="{noun}当前为“{state}”，不能{label}。",
)
