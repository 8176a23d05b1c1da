"""The instalment/deferral plan's own history (issue #19): recorded and decided through the workflow kernel,
each move one PaymentPlanStep shown with the plan on the notice's page; a refused move writes none. The acts
stay recorded on the case under their names."""

from datetime import timedelta

import pytest

from zhifa.core.errors import TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.payments.models import PaymentPlan
from zhifa.payments.services import payment_plan_apply, payment_plan_decide

from .factories import delivered_notice

pytestmark = pytest.mark.django_db


def _steps(plan):
    return [(s.action, s.from_status, s.to_status, s.actor_id) for s in plan.steps.all()]


def test_each_move_is_a_step_shown_on_the_page_and_a_refused_move_writes_none(world, client_for):
    notice = delivered_notice(world)
    officer, head = world.users["officer"], world.users["head"]
    plan = payment_plan_apply(
        actor=officer, notice=notice, kind="deferral", reason="住院治疗",
        schedule=[(notice.due_on + timedelta(days=60), notice.amount)],
    )
    assert _steps(plan) == [("plan_apply", "", "pending", officer.pk)]
    plan = payment_plan_decide(actor=head, plan=plan, approve=False, opinion="未提供经济困难证明")
    assert plan.status == PaymentPlan.Status.REJECTED
    assert _steps(plan) == [
        ("plan_apply", "", "pending", officer.pk),
        ("plan_decide", "pending", "rejected", head.pk),
    ]
    case_events = Event.objects.filter(
        action__in=["payment.plan_apply", "payment.plan_decide"], subject_type="cases.case",
        subject_id=str(notice.case_id),
    )
    assert case_events.count() == 2
    with pytest.raises(TransitionNotAllowed):
        payment_plan_decide(actor=head, plan=plan, approve=True)
    assert plan.steps.count() == 2 and case_events.count() == 2
    page = client_for("officer").get(f"/payments/{notice.pk}/").content.decode()
    assert "登记分期(延期)缴纳申请" in page and "审批分期(延期)缴纳申请" in page and "不予批准" in page
