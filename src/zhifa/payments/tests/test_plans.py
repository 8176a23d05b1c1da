"""Instalments and deferral (行政处罚法 Art. 66 ¶2), overdue flags, reminders and enforcement (行政强制法 Arts. 35, 54)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.documents.models import Document
from zhifa.payments.enforcement import assert_may_apply
from zhifa.payments.models import PaymentNotice, PaymentPlan
from zhifa.payments.services import (
    enforcement_ready_on,
    notice_state,
    payment_enforcement_apply,
    payment_plan_apply,
    payment_plan_decide,
    payment_reminder_issue,
    payments_flag_overdue,
)

from .factories import delivered_notice


@pytest.fixture
def notice(world):
    return delivered_notice(world)


def _schedule(notice, n=2):
    part = notice.amount / n
    return [(notice.due_on + timedelta(days=30 * (i + 1)), part) for i in range(n)]


def test_art66_instalments_approved_by_the_head_issue_the_notice_document(world, notice):
    plan = payment_plan_apply(actor=world.users["officer"], notice=notice, kind="instalment", reason="经营困难，车辆停运", schedule=_schedule(notice))
    plan = payment_plan_decide(actor=world.users["head"], plan=plan, approve=True, opinion="同意")
    assert plan.status == PaymentPlan.Status.APPROVED and "分缴" in plan.document_number
    doc = Document.objects.get(kind="instalment_notice")
    assert doc.number == plan.document_number
    # the original due date no longer makes the notice overdue
    assert notice_state(notice, notice.due_on + timedelta(days=5)).surcharge == 0


def test_art66_only_the_head_approves(world, notice):
    plan = payment_plan_apply(actor=world.users["officer"], notice=notice, kind="deferral", reason="住院治疗", schedule=[(notice.due_on + timedelta(days=60), notice.amount)])
    before = Event.objects.count()
    with pytest.raises(NotPermitted):
        payment_plan_decide(actor=world.users["officer2"], plan=plan, approve=True)
    plan.refresh_from_db()
    assert plan.status == PaymentPlan.Status.PENDING and Event.objects.count() == before


@pytest.mark.parametrize("kind,schedule,code", [
    ("instalment", [(30, "1000.00")], "instalments_required"),
    ("instalment", [(30, "1000.00"), (60, "900.00")], "schedule_total"),
    ("deferral", [(30, "1000.00"), (60, "1000.00")], "deferral_single_date"),
    ("instalment", [(-30, "1000.00"), (60, "1000.00")], "schedule_past"),
])
def test_art66_invalid_applications_are_refused(world, notice, kind, schedule, code):
    rows = [(timezone.localdate() + timedelta(days=d), Decimal(a)) for d, a in schedule]
    with pytest.raises(DomainError) as exc:
        payment_plan_apply(actor=world.users["officer"], notice=notice, kind=kind, reason="困难", schedule=rows)
    assert exc.value.code == code and not PaymentPlan.objects.exists()


def test_art66_refusal_needs_a_reason_and_keeps_the_due_date(world, notice):
    plan = payment_plan_apply(actor=world.users["officer"], notice=notice, kind="instalment", reason="困难", schedule=_schedule(notice))
    with pytest.raises(DomainError):
        payment_plan_decide(actor=world.users["head"], plan=plan, approve=False)
    plan = payment_plan_decide(actor=world.users["head"], plan=plan, approve=False, opinion="未提供经济困难证明")
    assert plan.status == PaymentPlan.Status.REJECTED
    assert notice_state(notice, notice.due_on + timedelta(days=1)).surcharge == Decimal("60.00")
    with pytest.raises(DomainError):
        payment_plan_decide(actor=world.users["head"], plan=plan, approve=True)


def test_overdue_flag_reminder_and_enforcement_candidate(world, notice, client_for):
    assert payments_flag_overdue(today=notice.due_on) == 0  # due today is not late
    with pytest.raises(DomainError):
        payment_reminder_issue(actor=world.users["officer"], notice=notice)
    later = timezone.now() + timedelta(days=(notice.due_on - timezone.localdate()).days + 3)
    with time_machine.travel(later):
        assert payments_flag_overdue() == 1
        assert payments_flag_overdue() == 0  # flagged once
        notice.refresh_from_db()
        assert notice.overdue_on == timezone.localdate() and notice.surcharge == Decimal("180.00")
        doc = payment_reminder_issue(actor=world.users["officer"], notice=notice)
        assert doc.kind == "reminder" and notice.reminder_number == doc.number
        with pytest.raises(DomainError):  # 行政强制法 Art. 54: not before 10 days after the reminder
            payment_enforcement_apply(actor=world.users["head"], notice=notice)
    # 行政强制法 Art. 53: not while the party may still seek reconsideration or litigation (6 months from delivery);
    # the test applied 15 days after the reminder, which Art. 53 does not allow.
    with time_machine.travel(later + timedelta(days=15)):
        c = client_for("officer")
        assert notice.code not in c.get("/payments/?status=enforcement").content.decode()
        with pytest.raises(DomainError) as exc:
            payment_enforcement_apply(actor=world.users["head"], notice=notice)
        assert exc.value.code == "not_enforceable" and "第五十三条" in exc.value.message
    first = enforcement_ready_on(notice)
    assert first > notice.delivered_on + timedelta(days=180)
    with time_machine.travel(timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time())) + timedelta(hours=10)):
        c = client_for("officer")  # a new session: the first one expired over the six months
        assert notice.code in c.get("/payments/?status=enforcement").content.decode()
        notice = payment_enforcement_apply(actor=world.users["head"], notice=notice)
        assert notice.enforcement_applied_on == timezone.localdate()
        assert notice.code not in c.get("/payments/?status=enforcement").content.decode()
    doc = Document.objects.get(kind="enforcement_application", subject_id=str(notice.case_id))
    assert "执申〔" in doc.number and doc.context["court"] == "南召县人民法院"
    with pytest.raises(DomainError) as exc:  # Art. 53: within three months after the periods ended
        assert_may_apply(notice, first + timedelta(days=120))
    assert exc.value.code == "enforcement_too_late"


def test_paid_notice_cannot_take_a_plan(world, notice):
    PaymentNotice.objects.filter(pk=notice.pk).update(status=PaymentNotice.Status.PAID)
    notice.refresh_from_db()
    with pytest.raises(DomainError):
        payment_plan_apply(actor=world.users["officer"], notice=notice, kind="instalment", reason="困难", schedule=_schedule(notice))
