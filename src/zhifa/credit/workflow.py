"""The explicit transition table of a serious-dishonesty listing (严重失信主体名单认定). Every step in ``services``
looks its action up here: the states it may start from, the state it leads to and the roles that may take it
(``None`` in ``roles`` = the system may take it, e.g. 一超四罚 proposing or the nightly expiry). Anything not in
the table is refused (``TransitionNotAllowed``).

国办发〔2020〕49号 (八): before deciding, the authority tells the party the reasons, the basis and its rights and
hears its statement and defence; the listing is a written decision naming the facts, reasons, basis, the
disciplinary measures, the exit conditions and procedure and the remedies. The list has a term (exit on expiry)
and a party that has corrected its conduct may leave earlier by credit repair (《信用修复管理办法》, 2026)."""

from django.db import models

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, SYSTEM, Transition, Workflow


class Status(models.TextChoices):
    PROPOSED = "proposed", "拟列入（待告知）"
    NOTIFIED = "notified", "已告知（陈述申辩期）"
    LISTED = "listed", "在列（公示中）"
    NOT_LISTED = "not_listed", "不予列入"
    REMOVED = "removed", "已移出"


S = Status
OFFICER, HEAD = Role.OFFICER, Role.HEAD

# A party has at most one open procedure (DB constraint ``dishonesty_one_open``).
OPEN = frozenset({S.PROPOSED, S.NOTIFIED, S.LISTED})


def _t(action, label, sources, target, roles):
    return Transition(action, label, sources, target, roles)  # target None: an act that keeps the state


_MOVES = [
    # A proposal by an officer, or by the system for 一超四罚 (交办公路〔2017〕8号) — never a listing by itself.
    _t("propose", "提出列入建议", {NEW}, S.PROPOSED, (OFFICER, HEAD, SYSTEM)),
    # 49号 (八): prior notice of the reasons, basis and the right to state and defend (告知书).
    _t("notify", "告知（送达告知书）", {S.PROPOSED}, S.NOTIFIED, (OFFICER, HEAD)),
    _t("state", "记录陈述申辩", {S.NOTIFIED}, None, (OFFICER, HEAD)),
    # The decision is the head's (负责人), after the statement period or after hearing the statement.
    _t("decide_list", "决定列入（制作决定书）", {S.NOTIFIED}, S.LISTED, (HEAD,)),
    _t("decide_not_list", "决定不予列入", {S.PROPOSED, S.NOTIFIED}, S.NOT_LISTED, (HEAD,)),
    # Exit: the term has run out (the nightly job, or the head), or early by credit repair.
    _t("expire", "有效期届满移出", {S.LISTED}, S.REMOVED, (HEAD, SYSTEM)),
    _t("repair_remove", "信用修复提前移出", {S.LISTED}, S.REMOVED, (HEAD,)),
]

WORKFLOW = Workflow(
    name="dishonesty", model="credit.DishonestyEntry", history="credit.DishonestyStep", history_subject="entry",
    audit_prefix="credit.dishonesty_", noun="该名单认定", states=Status, transitions=_MOVES,
    refused="{noun}当前为“{state}”，不能{label}。", role_refused="只有{roles}可以办理“{label}”。",
    system_refused="“{label}”须由有权限的人员办理。",
)
TRANSITIONS: dict[str, Transition] = WORKFLOW.transitions
get = WORKFLOW.get
next_actions = WORKFLOW.next_actions


# --- credit repair (信用修复) of a publication ---------------------------------------------------------------


class RepairStatus(models.TextChoices):
    """The states of a credit-repair application (``RepairApplication.Status``)."""

    SUBMITTED = "submitted", "已提交"
    CHECKS_FAILED = "checks_failed", "不予受理（条件不满足）"
    CHECKED = "checked", "审核中"
    APPROVED = "approved", "已修复"
    REJECTED = "rejected", "不予修复"


R = RepairStatus
_REPAIR_MOVES = [
    # Received online (the system) or at the window by an officer; the automatic checks decide the first state.
    Transition("repair_apply", "申请信用修复", {NEW}, roles=(OFFICER, HEAD, Role.ADMIN, SYSTEM),
               targets={R.CHECKED, R.CHECKS_FAILED}),
    Transition("repair_decide", "审批信用修复", {R.CHECKED}, roles=(HEAD, Role.ADMIN), targets={R.APPROVED, R.REJECTED}),
]

REPAIR_WORKFLOW = Workflow(
    name="credit repair", model="credit.RepairApplication", history="credit.RepairStep", history_subject="application",
    audit_prefix="credit.", noun="该修复申请", states=R,
    transitions=_REPAIR_MOVES, refused="只有通过自动核查、待审批的申请可以审批。",
)


# --- the publication of penalty information (行政处罚信息公示) ----------------------------------------------


class PublicationStatus(models.TextChoices):
    """The states of a credit publication (``CreditPublication.Status``)."""

    PUBLISHED = "published", "公示中"
    WITHDRAWN = "withdrawn", "已撤下（修复）"
    EXPIRED = "expired", "公示期满"
    REVOKED = "revoked", "已撤回（决定变更或撤销）"  # follows the portal's withdrawal (行政处罚法 Art. 48)


PUB = PublicationStatus
_PUBLICATION_MOVES = [
    # Published by an officer, or by the system when the portal publishes the decision (portal.pipeline).
    Transition("publication_create", "公示行政处罚信息", {NEW}, PUB.PUBLISHED, (OFFICER, HEAD, Role.ADMIN, SYSTEM)),
    # An approved credit repair takes the publication down in the approving transaction (repair_decide).
    Transition("publication_withdraw", "信用修复撤下公示", {PUB.PUBLISHED}, PUB.WITHDRAWN, (HEAD, Role.ADMIN)),
    # The portal row leads (portal.pipeline.credit_sync): the system follows its revocation, expiry or repair.
    Transition("publication_follow", "随门户公开信息撤下", {PUB.PUBLISHED}, roles=(SYSTEM,),
               targets={PUB.WITHDRAWN, PUB.EXPIRED, PUB.REVOKED}),
]

PUBLICATION_WORKFLOW = Workflow(
    name="credit publication", model="credit.CreditPublication", history="credit.PublicationStep",
    history_subject="publication", audit_prefix="credit.", noun="该公示信息", states=PublicationStatus,
    transitions=_PUBLICATION_MOVES, refused="{noun}当前为“{state}”，不能{label}。",
)
