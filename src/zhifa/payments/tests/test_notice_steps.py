"""The payment notice on the workflow kernel (issue #19): each move appends one PaymentNoticeStep, money
arriving is the system's move, and the acts stay recorded on the case under their old names and payloads."""

from decimal import Decimal

import pytest

from zhifa.cases import services as case_services
from zhifa.core.models import Event
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import payment_callback

from .factories import delivered_notice, notification

pytestmark = pytest.mark.django_db


def _steps(notice):
    return [(s.action, s.from_status, s.to_status, s.actor_id) for s in notice.steps.all()]


def _pay(notice, txn, amount) -> str:
    body, signature = notification(notice, txn=txn, amount=amount)
    return payment_callback(body=body, signature=signature)["status"]


def test_issue_and_payments_append_steps_and_record_on_the_case(world, client_for):
    notice = delivered_notice(world)
    issued = Event.objects.get(
        action="payment.notice_issue", subject_type="cases.case", subject_id=str(notice.case_id)
    )
    assert issued.after_digest and notice.code in issued.summary
    assert _pay(notice, "T1", "500.00") == "partly_paid" and _pay(notice, "T2", "1500.00") == "paid"
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.PAID and notice.paid_total == Decimal("2000.00")
    officer = world.users["officer"].pk
    assert _steps(notice) == [
        ("notice_issue", "", "unpaid", officer),
        ("received", "unpaid", "partly_paid", None),
        ("received", "partly_paid", "paid", None),
    ]
    received = Event.objects.filter(
        action="payment.received", subject_type="cases.case", subject_id=str(notice.case_id)
    )
    assert [e.changes["transaction_id"] for e in received.order_by("seq")] == ["T1", "T2"]
    assert received.order_by("seq").last().changes["status"] == "paid"
    page = client_for("officer").get(f"/payments/{notice.pk}/").content.decode()
    assert "办理流程" in page and "收到缴款 1500.00 元" in page and "已缴清" in page


def test_cancel_on_revocation_is_a_step_and_a_paid_notice_is_left(world):
    notice = delivered_notice(world)
    case_services.case_revoke(actor=world.users["head"], case=notice.case, reason="复议决定撤销")
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.CANCELLED
    assert _steps(notice)[-1] == ("notice_cancel", "unpaid", "cancelled", world.users["head"].pk)
    event = Event.objects.get(action="payment.notice_cancel", subject_type="payments.paymentnotice")
    assert event.changes == {"status": ["unpaid", "cancelled"]}
