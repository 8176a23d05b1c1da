"""What a notice owes on a given day, from its schedule and the payments received — a pure function of the
data, so the result does not depend on the order in which payment notifications arrived.

Late surcharge (加处罚款, 行政处罚法 Art. 72(一); 行政强制法 Art. 45): for each day after the due date on which
the fine is still unpaid, 3% of the fine; the total surcharge never exceeds the fine. With an approved
instalment/deferral plan (Art. 66) each instalment has its own due date and the 3% is applied to that
instalment's amount (the part of the fine that is late). The day the fine falls due counts as day 0; paying on
it costs nothing; day 1 costs 3%; from day 34 the cap applies. The exact amount is rounded to the fen once, at
the end (ROUND_HALF_UP), never per day.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

RATE = Decimal("0.03")  # Art. 72(一): 每日按罚款数额的百分之三
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Due:
    due_on: date
    amount: Decimal


@dataclass
class Settlement:
    fine: Decimal
    principal_paid: Decimal
    surcharge: Decimal
    paid_total: Decimal
    outstanding: Decimal
    paid_on: date | None
    days_late: int
    next_due: Due | None
    covered: list[tuple[Due, date | None]] = field(default_factory=list)

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def overdue_on(self) -> date | None:
        """The earliest due date still unmet (None when nothing is late or unpaid)."""
        return self.next_due.due_on if self.next_due else None


def surcharge(*, fine: Decimal, due_on: date, on: date) -> Decimal:
    """The surcharge on the whole fine, unpaid from ``due_on`` until ``on`` (Art. 72(一), capped at the fine)."""
    days = max(0, (on - due_on).days)
    return min(fine * RATE * days, fine).quantize(FEN, rounding=ROUND_HALF_UP)


def settle(*, fine: Decimal, schedule: list[Due], payments: list[tuple[date, Decimal]], on: date,
           base: Decimal | None = None, accrued: Decimal = Decimal("0")) -> Settlement:
    """Apply ``payments`` ((paid_on, amount), any order) to the fine's ``schedule`` first, then to the surcharge;
    count the surcharge up to ``on`` for whatever is still unpaid. ``base``: where the amount due also holds
    confiscated income, the fine within it — the surcharge is 3% a day of the fine only, and never more than the
    fine (行政处罚法 Art. 72 ¶1 (一)); each late part is surcharged in the fine's proportion. ``accrued``: the
    surcharge already accrued under an earlier schedule before an instalment/deferral plan replaced it (Art. 66
    ¶2; see ``notices.notice_state``): it stays owed, and the total stays within the cap."""
    ordered = sorted(payments, key=lambda p: p[0])
    schedule = sorted(schedule, key=lambda d: d.due_on)
    remaining = [d.amount for d in schedule]
    covered: list[date | None] = [None] * len(schedule)
    paid_total = Decimal("0")
    for paid_on, amount in ordered:
        paid_total += amount
        left = amount
        for i, rest in enumerate(remaining):
            if left <= 0:
                break
            if rest <= 0:
                continue
            used = min(rest, left)
            remaining[i] -= used
            left -= used
            if remaining[i] == 0:
                covered[i] = paid_on
    exact = Decimal("0")
    days_late = 0
    for due, cover in zip(schedule, covered, strict=True):
        days = max(0, ((cover or on) - due.due_on).days)
        days_late = max(days_late, days)
        exact += due.amount * RATE * days
    cap = fine
    if base is not None and fine and base < fine:
        exact, cap = exact * base / fine, base
    sur = min(accrued + exact, cap).quantize(FEN, rounding=ROUND_HALF_UP)
    principal_paid = min(paid_total, fine)
    outstanding = fine + sur - paid_total
    paid_on = None
    if outstanding <= 0:
        # the day the last needed money arrived
        needed, running = fine + sur, Decimal("0")
        for when, amount in ordered:
            running += amount
            if running >= needed:
                paid_on = when
                break
    next_due = next((d for d, c in zip(schedule, covered, strict=True) if c is None and d.due_on < on), None)
    return Settlement(fine=fine, principal_paid=principal_paid, surcharge=sur, paid_total=paid_total,
                      outstanding=max(outstanding, Decimal("0")), paid_on=paid_on, days_late=days_late, next_due=next_due,
                      covered=list(zip(schedule, covered, strict=True)))
