"""Transition tables of complaints and mediations: action → (states it may start from, state it leads to).
``None`` as the target keeps the current state."""

from .models import Complaint, Mediation

S = Complaint.Status
COMPLAINT_TRANSITIONS: dict[str, tuple[set[str], str | None]] = {
    "assign": ({S.RECEIVED, S.ASSIGNED, S.REOPENED}, None),  # None: received → assigned, reopened stays reopened
    "reply": ({S.RECEIVED, S.ASSIGNED, S.REOPENED}, S.REPLIED),
    "visit_satisfied": ({S.REPLIED}, S.CLOSED),
    "visit_dissatisfied": ({S.REPLIED}, S.REOPENED),
    "close": ({S.REPLIED}, S.CLOSED),
}

M = Mediation.Status
MEDIATION_TRANSITIONS: dict[str, tuple[set[str], str | None]] = {
    "accept": ({M.APPLIED}, M.ACCEPTED),
    "refuse": ({M.APPLIED}, M.REFUSED),
    "session": ({M.ACCEPTED}, None),
    "agree": ({M.ACCEPTED}, M.AGREED),
    "fail": ({M.ACCEPTED}, M.FAILED),
    "close": ({M.AGREED, M.FAILED, M.REFUSED}, M.CLOSED),
}
