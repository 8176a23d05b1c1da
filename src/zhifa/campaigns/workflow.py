"""Transition table of enforcement operations: action → (states it may start from, state it leads to).
``None`` as the target keeps the current state."""

from .models import Operation

S = Operation.Status
TRANSITIONS: dict[str, tuple[set[str], str | None]] = {
    "update": ({S.PLANNED, S.IN_PROGRESS}, None),
    "start": ({S.PLANNED}, S.IN_PROGRESS),
    "conclude": ({S.IN_PROGRESS}, S.CONCLUDED),
    "cancel": ({S.PLANNED, S.IN_PROGRESS}, S.CANCELLED),
    # Cases are often opened days after the action, so they may still be linked once it is concluded.
    "link_case": ({S.IN_PROGRESS, S.CONCLUDED}, None),
    "unlink_case": ({S.IN_PROGRESS, S.CONCLUDED}, None),
    "attach": ({S.PLANNED, S.IN_PROGRESS, S.CONCLUDED}, None),
}

# Operations that took place: what the report and the dashboards count.
COUNTED = (S.IN_PROGRESS, S.CONCLUDED)


def allowed(action: str, status: str) -> bool:
    sources, _ = TRANSITIONS[action]
    return status in sources
