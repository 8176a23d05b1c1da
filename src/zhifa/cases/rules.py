"""Statutory periods and limits the case services apply, each with its source (legal-reference §1–2).

Values marked [unconfirmed] come from secondary sources; they are module constants so that one place holds
them, and docs/cases.md lists them for the administrator.
"""

from decimal import Decimal

from zhifa.core.versions import Memo

# 行政处罚法 Art. 51: simplified procedure only for a warning or a fine up to these amounts.
SIMPLIFIED_MAX_PERSON = Decimal("200")
SIMPLIFIED_MAX_ORGANISATION = Decimal("3000")
# The limits in the words of Art. 51 ("二百元以下" includes 200: only an amount above it is refused).
SIMPLIFIED_LIMIT_WORDS = {SIMPLIFIED_MAX_PERSON: "二百元", SIMPLIFIED_MAX_ORGANISATION: "三千元"}

# 行政处罚法 Art. 36: limitation, 2 years; 5 years where life/health or financial safety is involved with harm.
LIMITATION_YEARS = 2
LIMITATION_YEARS_LIFE_HEALTH = 5

# 行政处罚法 Art. 29 (one act, one fine): how close two fined acts of the same party must be to be compared as
# possibly the same act — within this many hours, at the same place, with facts this similar (0–1). Not a legal
# value: a detection threshold; a match is refused unless the officer confirms in writing it is another act.
SAME_ACT_WINDOW_HOURS = 24
SAME_ACT_FACTS_SIMILARITY = 0.85

# 行政处罚法 Art. 60: decide within 90 days of opening the case.
DECISION_DAYS = 90
# [unconfirmed] 《交通运输行政执法程序规定》: extension by 30 days with the head's approval; further only by
# collective discussion.
HEAD_EXTENSION_DAYS = 30

# 行政处罚法 Art. 64 (with Art. 85: working days): hearing request within 5 working days of being told;
# the hearing notified at least 7 working days before it is held.
HEARING_REQUEST_WORKING_DAYS = 5
HEARING_NOTICE_WORKING_DAYS = 7
# The statement and defence (陈述申辩) period the notice gives the party; the same 5 working days [unconfirmed].
STATEMENT_WORKING_DAYS = 5

# 行政处罚法 Art. 61: delivery within 7 (working) days when the party is absent.
DELIVERY_WORKING_DAYS = 7
# 国办发〔2018〕118号: penalty decisions published within 7 working days.
PUBLICATION_WORKING_DAYS = 7
# 行政处罚法 Art. 67: payment within 15 days of receiving the decision.
PAYMENT_DAYS = 15

# 行政处罚法 Art. 30: under 14 no penalty; 14–18 lenient or mitigated.
MINOR_NO_PENALTY_AGE = 14
MINOR_LENIENT_AGE = 18

# Red/amber/green: amber when this many calendar days or fewer remain.
AMBER_DAYS = 3


def period(key: str, on=None) -> int:
    """The value of an [unconfirmed]/provincial period in force on ``on``: the administrator's
    ``ProcedurePeriod`` row if one applies, else the national default above."""
    return period_table()(key, on)


DEFAULT_PERIODS = {
    "head_extension_days": HEAD_EXTENSION_DAYS, "statement_working_days": STATEMENT_WORKING_DAYS,
}


_kept_periods = Memo("procedure_periods", size=1)


def _period_rows() -> tuple:
    """(key, effective_from, value) of every ``ProcedurePeriod`` row, newest first per key; kept by the
    process while the table does not change (core.versions: an administrator's edit applies from the next
    request on)."""
    from .models import ProcedurePeriod

    return tuple(ProcedurePeriod.objects.order_by("key", "-effective_from")
                 .values_list("key", "effective_from", "value"))


def period_table():
    """``period`` over one read of the table, for lists that compute the clocks of many cases."""
    from django.utils import timezone

    rows = _kept_periods.get(None, _period_rows)

    def lookup(key: str, on=None) -> int:
        on = on or timezone.localdate()
        return next((value for k, since, value in rows if k == key and since <= on), DEFAULT_PERIODS[key])

    return lookup

# The article a no-penalty decision rests on, by its reason (行政处罚法 Arts. 30, 33, 57 ¶1 (三)); used where the
# decider does not name one.
NO_PENALTY_BASIS = {
    "minor": "《中华人民共和国行政处罚法》第三十条",
    "no_fault": "《中华人民共和国行政处罚法》第三十三条第二款",
    "trivial": "《中华人民共和国行政处罚法》第三十三条第一款",
    "first": "《中华人民共和国行政处罚法》第三十三条第一款",
    "facts": "《中华人民共和国行政处罚法》第五十七条第一款第（三）项",
}
