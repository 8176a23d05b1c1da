"""The transition table of an overload act (超限违法行为). The ingest inserts a violation 待立案 (its plate matched a
registered vehicle) or 待人工核查 (no match); from there it becomes a case against the vehicle owner (the ingest or
a person opens it, ``services.violation_open_case``), is matched to a vehicle by review, or is dismissed with a
reason. Moves go through the workflow kernel (``zhifa.core.workflow``) with ``WORKFLOW``."""

from zhifa.core.roles import Role
from zhifa.core.workflow import SYSTEM, Transition, Workflow

from .models import Violation

S = Violation.Status
OFFICER, HEAD, ADMIN = Role.OFFICER, Role.HEAD, Role.ADMIN
EDITORS = (OFFICER, HEAD, ADMIN)

WORKFLOW = Workflow(
    name="overload_violation",
    model="overload.Violation",
    history="overload.ViolationStep",
    history_subject="violation",
    audit_prefix="overload.",
    noun="该超限违法行为",
    states=S,
    # The remote-handling code is the owner's secret: the record says that it was issued, never what it is.
    audit_exclude=("notice_code",),
    transitions=[
        # The ingest and its tasks open cases as the system; a person (page, bulk page) must be an officer or head.
        Transition("case_open", "生成案件", {S.DETECTED}, S.CASE, (OFFICER, HEAD, SYSTEM)),
        Transition("review_match", "人工核查匹配车辆", {S.REVIEW}, S.DETECTED, EDITORS),
        Transition("review_dismiss", "核查不予处理", {S.REVIEW, S.DETECTED}, S.DISMISSED, EDITORS),
    ],
)
TRANSITIONS: dict[str, Transition] = WORKFLOW.transitions
