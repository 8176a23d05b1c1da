"""Late surcharge (行政处罚法 Art. 72(一); 行政强制法 Art. 45) and the settlement of payments."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from zhifa.payments.settlement import Due, settle, surcharge

DUE = date(2026, 11, 16)
FINE = Decimal("2000.00")


def test_art72_day_0_no_surcharge():
    assert surcharge(fine=FINE, due_on=DUE, on=DUE) == Decimal("0.00")


def test_art72_day_1_three_percent():
    assert surcharge(fine=FINE, due_on=DUE, on=DUE + timedelta(days=1)) == Decimal("60.00")


def test_art72_day_33_below_cap_day_34_capped_at_the_fine():
    assert surcharge(fine=FINE, due_on=DUE, on=DUE + timedelta(days=33)) == Decimal("1980.00")
    assert surcharge(fine=FINE, due_on=DUE, on=DUE + timedelta(days=34)) == FINE
    assert surcharge(fine=FINE, due_on=DUE, on=DUE + timedelta(days=400)) == FINE


def test_art72_exact_to_the_fen_rounded_once():
    # 3% of 0.50 is 0.015 a day: rounding per day would give 0.02 × 3 = 0.06; exactly it is 0.045 → 0.05
    assert surcharge(fine=Decimal("0.50"), due_on=DUE, on=DUE + timedelta(days=3)) == Decimal("0.05")
    assert surcharge(fine=Decimal("333.33"), due_on=DUE, on=DUE + timedelta(days=7)) == Decimal("70.00")  # 69.9993


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2), st.integers(0, 2000))
def test_art72_surcharge_never_exceeds_the_fine(fine, days):
    value = surcharge(fine=fine, due_on=DUE, on=DUE + timedelta(days=days))
    assert Decimal("0") <= value <= fine


def test_paid_on_time_is_settled_without_surcharge():
    s = settle(fine=FINE, schedule=[Due(DUE, FINE)], payments=[(DUE, FINE)], on=DUE + timedelta(days=20))
    assert s.is_paid and s.paid_on == DUE and s.surcharge == 0 and s.outstanding == 0


def test_late_principal_then_surcharge():
    late = DUE + timedelta(days=2)
    s = settle(fine=FINE, schedule=[Due(DUE, FINE)], payments=[(late, FINE)], on=late + timedelta(days=30))
    # the surcharge stops when the fine is paid: 2 days × 60
    assert s.surcharge == Decimal("120.00") and not s.is_paid and s.outstanding == Decimal("120.00")
    s = settle(fine=FINE, schedule=[Due(DUE, FINE)], payments=[(late, FINE), (late + timedelta(days=5), Decimal("120.00"))], on=late + timedelta(days=30))
    assert s.is_paid and s.paid_on == late + timedelta(days=5)


def test_payments_in_any_order_settle_the_same():
    pays = [(DUE - timedelta(days=3), Decimal("500.00")), (DUE + timedelta(days=1), Decimal("1500.00")), (DUE + timedelta(days=2), Decimal("60.00"))]
    a = settle(fine=FINE, schedule=[Due(DUE, FINE)], payments=pays, on=DUE + timedelta(days=9))
    b = settle(fine=FINE, schedule=[Due(DUE, FINE)], payments=list(reversed(pays)), on=DUE + timedelta(days=9))
    assert a == b and a.is_paid and a.surcharge == Decimal("60.00")


def test_art66_instalments_each_late_instalment_carries_its_own_surcharge():
    schedule = [Due(date(2026, 12, 1), Decimal("1000.00")), Due(date(2027, 1, 4), Decimal("1000.00"))]
    # first instalment on time, second 2 days late
    pays = [(date(2026, 12, 1), Decimal("1000.00")), (date(2027, 1, 6), Decimal("1000.00"))]
    s = settle(fine=FINE, schedule=schedule, payments=pays, on=date(2027, 2, 1))
    assert s.surcharge == Decimal("60.00")  # 1000 × 3% × 2
    # before the second instalment falls due nothing is late
    s = settle(fine=FINE, schedule=schedule, payments=pays[:1], on=date(2026, 12, 20))
    assert s.surcharge == 0 and s.next_due is None and s.outstanding == Decimal("1000.00")
