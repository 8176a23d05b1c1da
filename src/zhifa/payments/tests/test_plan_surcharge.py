"""A plan approved after the due date (行政处罚法 Art. 66 ¶2) defers what is still to be paid from the day it
is approved; the Art. 72(一) surcharge accrued before the approval stays owed. The re-settlement is the
notice's ``notice_settle`` step with its record, so the notice's row matches the full-process record."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core import audit
from zhifa.core.models import Event
from zhifa.payments.models import PaymentNotice, PaymentNoticeStep
from zhifa.payments.services import (
    notice_state,
    payment_callback,
    payment_plan_apply,
    payment_plan_decide,
)

from .factories import delivered_notice, notification

ROW_MODELS = ["cases.case", "core.party", "core.vehicle", "coercion.measure", "payments.paymentnotice"]


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def notice(world, settings):
    settings.AUDIT_ROW_MODELS = ROW_MODELS
    return delivered_notice(world)  # fine 2000, due 15 days after delivery


def _defer(world, notice, until):
    plan = payment_plan_apply(actor=world.users["officer"], notice=notice, kind="deferral", reason="住院治疗",
                              schedule=[(until, notice.amount)])
    return payment_plan_decide(actor=world.users["head"], plan=plan, approve=True, opinion="同意")


def test_a_deferral_approved_after_a_late_payment_keeps_the_accrued_surcharge_and_is_recorded(world, notice):
    late = notice.due_on + timedelta(days=5)  # 5 days late: 2000 × 3% × 5 = 300
    with time_machine.travel(_at(late)):
        body, sig = notification(notice, amount="2000.00", paid_at=_at(late))
        assert payment_callback(body=body, signature=sig)["status"] == PaymentNotice.Status.PARTLY_PAID
    notice.refresh_from_db()
    assert notice.surcharge == Decimal("300.00") and notice.paid_total == Decimal("2000.00")
    with time_machine.travel(_at(late + timedelta(days=3))):
        steps = PaymentNoticeStep.objects.filter(notice=notice).count()
        _defer(world, notice, late + timedelta(days=40))
        notice.refresh_from_db()
        # the surcharge accrued before the approval stays owed: not paid, the case not executed
        assert notice.status == PaymentNotice.Status.PARTLY_PAID
        assert notice.surcharge == Decimal("300.00") and notice.overdue_on is None
        assert notice_state(notice).outstanding == Decimal("300.00")
        assert Case.objects.get(pk=notice.case_id).status == "execution"
        # the re-settlement is a step of the notice and an event of the record, in the approving transaction
        step = PaymentNoticeStep.objects.filter(notice=notice).order_by("-pk").first()
        assert PaymentNoticeStep.objects.filter(notice=notice).count() == steps + 1
        assert step.action == "notice_settle" and step.from_status == step.to_status == "partly_paid"
        event = Event.objects.filter(action="payment.notice_settle").latest("seq")
        assert event.subject_id == str(notice.pk) and "300" in event.summary
    result = audit.verify()
    assert result.ok, result.problems
    assert result.rows_checked >= 1


def test_a_plan_approved_before_the_due_date_changes_nothing_accrued(world, notice):
    with time_machine.travel(_at(notice.due_on - timedelta(days=2))):
        _defer(world, notice, notice.due_on + timedelta(days=30))
        notice.refresh_from_db()
        assert notice.status == PaymentNotice.Status.UNPAID
        assert notice.surcharge == 0 and notice.paid_total == 0 and notice.overdue_on is None
    # the old due date no longer makes the notice late; the new one does
    assert notice_state(notice, notice.due_on + timedelta(days=10)).surcharge == 0
    assert notice_state(notice, notice.due_on + timedelta(days=31)).surcharge == Decimal("60.00")
    result = audit.verify()
    assert result.ok, result.problems


def test_unpaid_then_deferred_owes_the_days_before_the_approval_and_after_the_new_date(world, notice):
    approved = notice.due_on + timedelta(days=2)  # 2 days late when approved: 120 accrued
    with time_machine.travel(_at(approved)):
        _defer(world, notice, approved + timedelta(days=20))
        notice.refresh_from_db()
        assert notice.surcharge == Decimal("120.00") and notice.status == PaymentNotice.Status.UNPAID
    assert notice_state(notice, approved + timedelta(days=20)).surcharge == Decimal("120.00")
    assert notice_state(notice, approved + timedelta(days=21)).surcharge == Decimal("180.00")
    # never more than the fine in all (Art. 72(一))
    assert notice_state(notice, approved + timedelta(days=400)).surcharge == Decimal("2000.00")


def test_the_overdue_flag_and_the_reminder_are_steps_of_the_notice_recorded_on_the_case(world, notice):
    from zhifa.payments.services import payment_reminder_issue, payments_flag_overdue

    with time_machine.travel(_at(notice.due_on + timedelta(days=3))):
        assert payments_flag_overdue() == 1
        payment_reminder_issue(actor=world.users["officer"], notice=notice)
    notice.refresh_from_db()
    assert notice.surcharge == Decimal("180.00") and notice.reminder_number
    steps = PaymentNoticeStep.objects.filter(notice=notice).order_by("pk")
    actions = list(steps.values_list("action", flat=True))
    assert actions[-2:] == ["overdue", "reminder"]
    for action in ("payment.overdue", "payment.reminder"):
        assert Event.objects.get(action=action).subject_id == str(notice.case_id)
