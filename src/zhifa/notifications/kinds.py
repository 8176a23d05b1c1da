"""The events that notify someone, with who hears of them and on which channels by default.

Officers (users) always get the in-app inbox item; e-mail and SMS follow their preferences (defaults here).
Parties have no account: they are told by SMS (and e-mail where an address is known). A notification is not a
legal delivery (送达): the documents themselves are delivered by the case procedure (行政处罚法 Art. 61)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    audience: str  # "officer" or "party"
    email: bool  # default for users; parties get e-mail only where an address is known
    sms: bool


KINDS = {k.code: k for k in [
    Kind("clock_amber", "办案期限即将届满", "officer", True, False),
    Kind("clock_red", "办案期限已届满", "officer", True, True),
    Kind("task_assigned", "任务分派", "officer", True, False),
    Kind("review_requested", "待审核", "officer", True, False),
    Kind("complaint_due", "投诉即将到期", "officer", True, False),
    Kind("decision_delivered", "处罚决定已送达", "party", True, True),
    Kind("payment_due", "罚款缴纳期限临近", "party", True, True),
    Kind("payment_overdue", "罚款逾期未缴", "party", True, True),
    Kind("hearing_notice", "听证通知", "party", True, True),
    Kind("complaint_reply", "投诉办理答复", "party", True, True),
]}
CHOICES = [(k.code, k.label) for k in KINDS.values()]
OFFICER_KINDS = [k for k in KINDS.values() if k.audience == "officer"]
