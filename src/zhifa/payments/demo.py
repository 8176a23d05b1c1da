"""Demo of 罚缴分离: notices paid on time and late (with surcharge), a pending and an approved instalment or
deferral, overdue notices, a reminder (催告书) and an enforcement candidate. Works on the notices the cases demo
created on delivery; without a cases demo it drives a few fine cases through the cases services itself."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.demo import record_backdating

from .models import PaymentNotice, PaymentPlan
from .services import (
    notice_state,
    payment_notice_issue,
    payment_plan_apply,
    payment_plan_decide,
    payment_reminder_issue,
    payments_flag_overdue,
    simulated_payment,
)


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _seed_cases(ctx) -> None:
    """Fine cases delivered 2–60 days ago (the cases app's demo normally provides these)."""
    from zhifa.cases import services as cs
    from zhifa.cases.demo import catalogue_provisions
    from zhifa.cases.models import Case
    from zhifa.core.models import Party

    org = ctx.orgs["nz_brigade"]
    officers = [ctx.users["officer"].officer, ctx.users["officer2"].officer]
    parties = list(Party.objects.filter(organisation__path__startswith=org.path).order_by("pk")[:6])
    for age, party, amount in zip([2, 8, 24, 30, 48, 63], parties, ["2000", "1500", "3000", "5000", "1000", "2500"], strict=False):
        when = ctx.today - timedelta(days=age + 20)
        case = cs.lead_register(actor=ctx.users["officer"], organisation=org, source=Case.Source.INSPECTION, party=party,
                                occurred_at=_at(when), place="G207国道皇后段", facts="驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测。")
        violated, penalty = catalogue_provisions("YS-012")
        case = cs.case_set_provisions(actor=ctx.users["officer"], case=case, violated_provision=violated, penalty_provision=penalty)
        case = cs.case_open(actor=ctx.users["head"], case=case, officers=officers)
        case = cs.case_report(actor=ctx.users["officer"], case=case, report_text="违法事实清楚，证据确凿。",
                              proposed_outcome=Case.Outcome.PENALTY, proposed_amount=Decimal(amount))
        case = cs.case_internal_review(actor=ctx.users["head"], case=case, approve=True, opinion="同意")
        case = cs.case_notify(actor=ctx.users["officer"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=Decimal(amount))
        case = cs.case_waive(actor=ctx.users["officer"], case=case, statement="无异议")
        case = cs.case_decide(actor=ctx.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=Decimal(amount),
                              legal_basis=penalty, reasoning="违法事实清楚，按裁量基准一般情形处罚。")
        case = cs.case_deliver(actor=ctx.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
        # the demo's history: decided and delivered ``age`` days ago
        delivered = ctx.today - timedelta(days=age)
        Case.objects.filter(pk=case.pk).update(decided_on=delivered, delivered_on=delivered)
        if not PaymentNotice.objects.filter(case=case).exists():
            payment_notice_issue(actor=ctx.users["officer"], case=case, amount=Decimal(amount), delivered_on=delivered)
        due = legal_calendar.add_days(delivered, 15)
        PaymentNotice.objects.filter(case=case).update(delivered_on=delivered, due_on=due.date, due_confirmed=due.confirmed)
        record_backdating(case, *PaymentNotice.objects.filter(case=case), days=age, what="决定与送达日期")


def load(ctx) -> None:
    if not PaymentNotice.objects.exists():
        _seed_cases(ctx)
    today = ctx.today
    # The previous year's unpaid fine was reminded and sent to the court in its own year (cases demo).
    open_notices = list(PaymentNotice.objects.filter(status=PaymentNotice.Status.UNPAID, reminded_on__isnull=True)
                        .select_related("case").order_by("pk"))
    not_due = [n for n in open_notices if n.due_on >= today]
    overdue = [n for n in open_notices if n.due_on < today]
    head, officer = ctx.users["head"], ctx.users["officer"]
    for i, n in enumerate(not_due):
        if i % 2 == 1:
            simulated_payment(notice=n, paid_at=_at(min(today, n.delivered_on + timedelta(days=3))))
        elif i == 0:
            payment_plan_apply(actor=officer, notice=n, kind=PaymentPlan.Kind.INSTALMENT, reason="个体运输户，车辆维修停运，确有经济困难。",
                               applied_on=today, schedule=[(n.due_on + timedelta(days=30), n.amount / 2), (n.due_on + timedelta(days=60), n.amount / 2)])
    overdue.sort(key=lambda n: n.due_on)
    for i, n in enumerate(overdue):
        if i == 1:  # paid two days late, then the surcharge
            simulated_payment(notice=n, amount=n.amount, paid_at=_at(n.due_on + timedelta(days=2)))
            simulated_payment(notice=n, amount=notice_state(n).outstanding, paid_at=_at(n.due_on + timedelta(days=4)))
        elif i == 2:  # a deferral approved by the head
            plan = payment_plan_apply(actor=officer, notice=n, kind=PaymentPlan.Kind.DEFERRAL, reason="当事人住院治疗，申请延期缴纳。",
                                      applied_on=n.delivered_on + timedelta(days=3), schedule=[(today + timedelta(days=20), n.amount)])
            payment_plan_decide(actor=head, plan=plan, approve=True, opinion="同意延期。")
    payments_flag_overdue(today=today)
    flagged = list(PaymentNotice.objects.filter(status=PaymentNotice.Status.UNPAID, overdue_on__isnull=False, reminded_on__isnull=True)
                   .order_by("due_on"))
    if flagged:  # the oldest: reminded 15 days ago → a candidate for the court (行政强制法 Art. 54)
        payment_reminder_issue(actor=officer, notice=flagged[0], delivered_on=today - timedelta(days=15))
    if len(flagged) > 2:
        payment_reminder_issue(actor=officer, notice=flagged[1], delivered_on=today - timedelta(days=2))
    total = PaymentNotice.objects.count()
    paid = PaymentNotice.objects.filter(status=PaymentNotice.Status.PAID).count()
    late = PaymentNotice.objects.filter(~Q(status=PaymentNotice.Status.PAID), overdue_on__isnull=False).count()
    ctx.notes.append(f"罚缴分离：{total} 份缴款通知（{paid} 份已缴清，{late} 份逾期，含催告和申请强制执行候选）；"
                     f"“罚没款缴纳”页面查看，缴款页 /payments/pay/<缴款码>/ 可模拟支付。")
