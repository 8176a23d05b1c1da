"""Applying to the court for enforcement after the 催告 (行政强制法 Arts. 53–55; 行政处罚法 Art. 72 ¶1 (四)).

A bureau without its own enforcement power applies to the people's court: only once the party neither sought
reconsideration or litigation within the statutory periods nor performed (Art. 53: the periods have ended — 60
days for reconsideration, 行政复议法 Art. 20; 6 months for litigation, 行政诉讼法 Art. 46, both from delivery), at
least 10 days after the 催告书 was delivered (Art. 54), and within 3 months after the periods ended (Art. 53).
The 行政强制执行申请书 (Art. 55: signed by the head, sealed, dated; with the decision, the party's opinion and the
reminder) is issued in the same transaction that records the application.
"""

from datetime import date, timedelta

from zhifa.core import legal_calendar
from zhifa.core.errors import DomainError

REMINDER_DAYS = 10  # 行政强制法 Art. 54; working days (Art. 69)
APPLY_WITHIN_MONTHS = 3  # 行政强制法 Art. 53


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), the month's last day where it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def remedy_periods_end(delivered_on: date) -> date:
    """The last day of the party's remedies: the 6-month litigation period from delivery (it outlasts the 60-day
    reconsideration period), moved to the next working day when it ends on a rest day."""
    from zhifa.documents.render import rights_deadlines

    return rights_deadlines(delivered_on)["litigation"].date


def window(notice) -> tuple[date, date] | None:
    """(first, last) day the agency may apply to the court for ``notice``, or None before a 催告书 was delivered."""
    if notice.reminded_on is None:
        return None
    periods_end = remedy_periods_end(notice.delivered_on)
    # Art. 54 "催告书送达十日后" with Art. 69: ten working days, the application from the day after the tenth
    after_reminder = legal_calendar.add_working_days(notice.reminded_on, REMINDER_DAYS).date + timedelta(days=1)
    first = max(after_reminder, legal_calendar.add_days(periods_end, 1).date)
    return first, add_months(periods_end, APPLY_WITHIN_MONTHS)


def assert_may_apply(notice, on: date) -> None:
    span = window(notice)
    if span is None or on < span[0]:
        first = f"（{span[0]:%Y-%m-%d}起）" if span else ""
        raise DomainError("not_enforceable", "当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行，且催告书送达满十日后仍未履行的，"
                          f"方可申请人民法院强制执行{first}（行政强制法第五十三条、第五十四条）。")
    if on > span[1]:
        raise DomainError("enforcement_too_late", f"申请人民法院强制执行应在复议、诉讼期限届满之日起三个月内（{span[1]:%Y-%m-%d}前）提出"
                          "（行政强制法第五十三条）。")


def default_court(organisation) -> str:
    """The basic people's court of the agency's county (行政强制法 Art. 54: 所在地有管辖权的人民法院)."""
    org = organisation
    while org is not None and getattr(org, "kind", "") not in ("county",):
        org = org.parent
    name = (org or organisation).name
    for end in ("县", "区", "市"):
        if end in name:
            return name[: name.index(end) + 1] + "人民法院"
    return "有管辖权的人民法院"


def application_context(notice, *, court: str, state, applied_on: date) -> dict:
    """The fields of the 行政强制执行申请书 (documents kind ``enforcement_application``)."""
    from zhifa.core.models import Party

    case = notice.case
    party = case.party
    body = notice.organisation.enforcement_body()
    outstanding = notice.amount - state.principal_paid
    return {
        "court": court, "party_name": party.name, "party_kind": party.kind, "party_identifier": party.identifier,
        "party_address": party.address, "legal_representative": party.legal_representative,
        "applicant": body.name, "applicant_address": body.address, "decision_number": notice.decision_number,
        "decided_on": case.decided_on, "delivered_on": notice.delivered_on, "amount": notice.amount, "outstanding": outstanding,
        "surcharge": state.surcharge, "total": outstanding + state.surcharge, "reminder_number": notice.reminder_number,
        "reminded_on": notice.reminded_on, "statement": case.statement, "issued_on": applied_on,
        "party_term": "被申请人", "you": "你" if party.kind == Party.Kind.PERSON else "你单位",
    }
