"""Transition table of a permit application (行政许可法 Arts. 32, 38, 69)."""

from .models import PermitApplication

S = PermitApplication.Status

TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACCEPTED, S.NOT_ACCEPTED},  # Art. 32: accept or refuse with reasons
    S.ACCEPTED: {S.APPROVED, S.DENIED},  # Art. 38: decide in writing
    S.APPROVED: {S.REVOKED},  # Art. 69: a granted permit may be revoked
    S.NOT_ACCEPTED: set(),
    S.DENIED: set(),
    S.REVOKED: set(),
}


def allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, set())
