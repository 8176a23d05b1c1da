"""The explicit transition tables of a payment notice (缴款通知, 罚缴分离: 行政处罚法 Art. 67) and of an
instalment or deferral plan (分期/延期缴纳, Art. 66 ¶2). Every state change in ``services`` looks its action
up here: the states it may start from, the state(s) it leads to and the roles that may take it (``SYSTEM``:
the payment system's or the finance system's signed notification, taken with ``actor=None``). The moves go
through the workflow kernel (``zhifa.core.workflow``).

A notice's state follows the money: each payment received moves it to 部分缴纳 or 已缴清 as the settlement
of all its payments says (``settlement.settle``), so ``received`` is a move whose target the service
computes. The audit actions keep their names (``payment.notice_issue``, ``payment.received``,
``payment.notice_cancel``, ``payment.plan_apply``, ``payment.plan_decide``); issuing, receiving and the
plan's acts are recorded on the case, whose full-process record they belong to
(``transition(audit_subject=case)``); the notice and the plan each keep their own steps."""

from django.db import models

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, SYSTEM, Transition, Workflow


class NoticeStatus(models.TextChoices):
    """The states of a payment notice (``PaymentNotice.Status``)."""

    UNPAID = "unpaid", "待缴纳"
    PARTLY_PAID = "partly_paid", "部分缴纳"
    PAID = "paid", "已缴清"
    CANCELLED = "cancelled", "已撤销"


N = NoticeStatus
OFFICER, HEAD = Role.OFFICER, Role.HEAD
OPEN = frozenset({N.UNPAID, N.PARTLY_PAID})  # something is still to be paid

_NOTICE_MOVES = [
    # Issued when the fine decision is delivered (an officer or the head), or when the finance system's
    # 缴款码 arrives after the delivery (the outbox worker, the system).
    Transition("notice_issue", "开具缴款通知", {NEW}, N.UNPAID, (OFFICER, HEAD, SYSTEM)),
    # The payment system's (or the finance system's) signed notification: money arriving is the system's act.
    Transition("received", "收到缴款", OPEN, roles=(SYSTEM,), targets={N.PARTLY_PAID, N.PAID}),
    # An approved plan replaces the due dates from its approval; what was paid is settled again (the surcharge
    # accrued before the approval stays owed). Also taken when the state stays: the new amounts are a step.
    Transition(
        "notice_settle", "按分期(延期)缴纳重新核算", OPEN, roles=(HEAD, SYSTEM), targets=OPEN | {N.PAID}
    ),
    # The daily job finds a due date unmet: the overdue flag and the Art. 72(一) surcharge so far (state
    # kept).
    Transition("overdue", "逾期未缴（加处罚款）", OPEN, roles=(SYSTEM,)),
    # The 催告书 delivered (行政强制法 Arts. 35, 54): its number and day, the surcharge so far (state kept).
    Transition("reminder", "催告", OPEN, roles=(OFFICER, HEAD)),
    # The decision is revoked: nothing remains to be paid (a paid notice stays paid; a refund is another act).
    Transition("notice_cancel", "撤销缴款通知（处罚决定已撤销）", OPEN, N.CANCELLED, ()),
]

NOTICE_WORKFLOW = Workflow(
    name="payment notice",
    model="payments.PaymentNotice",
    history="payments.PaymentNoticeStep",
    history_subject="notice",
    audit_prefix="payment.",
    noun="该缴款通知",
    states=NoticeStatus,
    transitions=_NOTICE_MOVES,
    concurrent="缴款通知状态已变化，请刷新后重试。",
)


class PlanStatus(models.TextChoices):
    """The states of an instalment or deferral application (``PaymentPlan.Status``)."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准"


P = PlanStatus
_PLAN_MOVES = [
    # Art. 66 ¶2: the party's written application, recorded by an officer; decided by the head.
    Transition("plan_apply", "登记分期(延期)缴纳申请", {NEW}, P.PENDING, (OFFICER, HEAD)),
    Transition(
        "plan_decide", "审批分期(延期)缴纳申请", {P.PENDING}, roles=(HEAD,), targets={P.APPROVED, P.REJECTED}
    ),
]

# The plan's record is the full-process record of its case; its steps are its own (``PaymentPlanStep``).
PLAN_WORKFLOW = Workflow(
    name="payment plan",
    model="payments.PaymentPlan",
    history="payments.PaymentPlanStep",
    history_subject="plan",
    audit_prefix="payment.",
    noun="该申请",
    states=PlanStatus,
    transitions=_PLAN_MOVES,
    organisation=lambda plan: plan.notice.organisation,
    refused="该申请已审批。",
    concurrent="该申请已审批。",
)
