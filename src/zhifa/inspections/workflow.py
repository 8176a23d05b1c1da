"""Transition tables of the inspections app: (from, to) pairs each service checks before its conditional update."""

from zhifa.core.errors import TransitionNotAllowed

from .models import Inspection, Plan, ProvincialWarning

P, IS, W = Plan.Status, Inspection.Status, ProvincialWarning.Status

PLAN = {
    (P.DRAFT, P.COMMITTED),        # seed committed, its hash published with the plan
    (P.COMMITTED, P.DRAWN),        # the draw reveals the seed
    (P.DRAWN, P.COMMITTED),        # redraw: only with a recorded reason; a new seed is committed
    (P.DRAWN, P.INSPECTING),
    (P.DRAWN, P.COMPLETED),
    (P.INSPECTING, P.COMPLETED),
    (P.COMPLETED, P.PUBLISHED),
}

INSPECTION = {
    (IS.ASSIGNED, IS.CLOSED),        # 合格
    (IS.ASSIGNED, IS.RECTIFYING),    # 责令整改: notice with deadline
    (IS.ASSIGNED, IS.REFERRED),      # 立案: lead handed to case handling
    (IS.RECTIFYING, IS.CLOSED),      # follow-up found it rectified
    (IS.RECTIFYING, IS.REFERRED),    # not rectified by the deadline → case
    (IS.ASSIGNED, IS.CANCELLED),     # the draw was redone
}

WARNING = {
    (W.RECEIVED, W.NOTIFIED),      # class 1/2: rectification notice
    (W.RECEIVED, W.REFERRED),      # class 3: lead for a case
    (W.NOTIFIED, W.CLOSED),
    (W.REFERRED, W.CLOSED),
}


def check(table: set, old: str, new: str, what: str) -> None:
    if (old, new) not in table:
        raise TransitionNotAllowed("transition_not_allowed", f"{what}当前状态不允许此操作。")
