"""Transition table of a permit application (行政许可法 Arts. 32, 38, 69), moved by the workflow kernel
(``zhifa.core.workflow``): every state change in ``services`` names its action here; anything not in the table is
refused (``TransitionNotAllowed``)."""

from zhifa.core.roles import Role
from zhifa.core.workflow import NEW, Transition, Workflow

from .models import PermitApplication

S = PermitApplication.Status
HANDLERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
DECIDERS = (Role.HEAD, Role.ADMIN, Role.OFFICER)

_MOVES = [
    Transition("submit", "收到申请", {NEW}, S.SUBMITTED, HANDLERS),
    Transition("accept", "受理", {S.SUBMITTED}, S.ACCEPTED, HANDLERS),  # Art. 32: accept …
    Transition("refuse", "不予受理", {S.SUBMITTED}, S.NOT_ACCEPTED, HANDLERS),  # … or refuse with reasons
    Transition("decide", "作出许可决定", {S.ACCEPTED}, roles=DECIDERS, targets={S.APPROVED, S.DENIED}),  # Art. 38, in writing
    Transition("revoke", "撤销许可", {S.APPROVED}, S.REVOKED, (Role.HEAD, Role.ADMIN)),  # Art. 69
]

WORKFLOW = Workflow(
    name="permits", model="permits.PermitApplication", history="permits.PermitStatusChange", history_subject="application",
    audit_prefix="permit.", noun="该申请", states=S, transitions=_MOVES, touch="updated_at",
    refused="当前状态“{state}”不能{label}。", concurrent="该申请的状态已被他人变更，请刷新后重试。",
)
TRANSITIONS = WORKFLOW.transitions


def allowed(old: str, new: str) -> bool:
    """Whether some action leads from ``old`` to ``new`` (kept for readers of the old table shape)."""
    return any(old in t.sources and new in (t.targets or {t.target}) for t in TRANSITIONS.values())
