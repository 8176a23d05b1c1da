"""Instalments and deferral (行政处罚法 Art. 66 ¶2), overdue flags, reminders (催告书), enforcement
applications, and the simulated payment."""

import json
import secrets
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, workflow
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from ..models import Instalment, PaymentNotice, PaymentPlan
from ..workflow import NOTICE_WORKFLOW, PLAN_WORKFLOW
from .callbacks import collection_account, payment_callback, sign
from .notices import amount_due, money, notice_state, payment_fields, refresh_notice


def payment_plan_apply(
    *,
    actor,
    notice: PaymentNotice,
    kind: str,
    reason: str,
    schedule: list[tuple[date, Decimal]],
    applied_on: date | None = None,
) -> PaymentPlan:
    """Record the party's written application to pay by instalments or later (行政处罚法 Art. 66 ¶2:
    确有经济困难)."""
    assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以登记分期(延期)缴纳申请。")
    assert_in_jurisdiction(actor, notice.organisation)
    if notice.status in (PaymentNotice.Status.PAID, PaymentNotice.Status.CANCELLED):
        raise DomainError("notice_closed", "该缴款通知已缴清或已撤销。")
    if kind not in PaymentPlan.Kind.values:
        raise DomainError("invalid_kind", "请选择分期缴纳或延期缴纳。")
    if not reason.strip():
        raise DomainError("reason_required", "请填写当事人确有经济困难的情况（行政处罚法第六十六条第二款）。")
    if notice.plans.filter(status=PaymentPlan.Status.PENDING).exists():
        raise DomainError("plan_pending", "已有待审批的申请。")
    rows = sorted((d, money(a)) for d, a in schedule)
    if not rows:
        raise DomainError("schedule_required", "请填写缴纳期限和金额。")
    if kind == PaymentPlan.Kind.DEFERRAL and len(rows) != 1:
        raise DomainError("deferral_single_date", "延期缴纳只有一个缴纳期限。")
    if kind == PaymentPlan.Kind.INSTALMENT and len(rows) < 2:
        raise DomainError("instalments_required", "分期缴纳至少分两期。")
    if len({d for d, _ in rows}) != len(rows):
        raise DomainError("duplicate_dates", "各期缴纳期限不能相同。")
    if sum(a for _, a in rows) != notice.amount:
        raise DomainError("schedule_total", f"各期金额合计应等于罚款金额 {notice.amount} 元。")
    applied_on = applied_on or timezone.localdate()
    if rows[0][0] <= applied_on:
        raise DomainError("schedule_past", "缴纳期限应晚于申请日期。")
    with transaction.atomic():
        plan = PaymentPlan.objects.create(
            notice=notice, kind=kind, reason=reason.strip(), applied_on=applied_on, recorded_by=actor
        )
        Instalment.objects.bulk_create(
            [Instalment(plan=plan, seq=i, due_on=d, amount=a) for i, (d, a) in enumerate(rows, 1)]
        )
        workflow.created(
            PLAN_WORKFLOW,
            plan,
            "plan_apply",
            actor=actor,
            audit_subject=notice.case,
            audit_after={},
            summary=f"登记{plan.get_kind_display()}申请：" + "；".join(f"{d} {a}元" for d, a in rows),
        )
    return plan


def payment_plan_decide(*, actor, plan: PaymentPlan, approve: bool, opinion: str = "") -> PaymentPlan:
    """The head approves or refuses; an approval issues the 分期(延期)缴纳罚款通知书 and replaces the
    due dates."""
    assert_role(actor, Role.HEAD, message="分期(延期)缴纳须经负责人批准（行政处罚法第六十六条第二款）。")
    notice = plan.notice
    assert_in_jurisdiction(actor, notice.organisation)
    if not approve and not opinion.strip():
        raise DomainError("opinion_required", "不予批准的，请写明理由。")
    if approve and notice.status in (PaymentNotice.Status.PAID, PaymentNotice.Status.CANCELLED):
        raise DomainError("notice_closed", "罚款已缴清或缴款通知已撤销，无需批准分期(延期)。")
    today = timezone.localdate()
    new_status = PaymentPlan.Status.APPROVED if approve else PaymentPlan.Status.REJECTED
    with transaction.atomic():
        number = ""
        if approve:
            from zhifa.documents.numbering import reserve_number

            # The paper's number is reserved in the deciding transaction, so the record names it; the paper is
            # made after the move (its amount due follows the approved schedule).
            number = reserve_number(
                organisation=notice.organisation, kind="instalment_notice", year=today.year
            )
        plan = workflow.transition(
            PLAN_WORKFLOW,
            plan,
            "plan_decide",
            actor=actor,
            target=new_status,
            fields={
                "decided_by": actor,
                "decided_on": today,
                "opinion": opinion.strip()[:300],
                "document_number": number,
            },
            summary=f"{'批准' if approve else '不予批准'}{plan.get_kind_display()}申请"
            + (f"，{number}" if number else "")
            + (f"：{opinion.strip()[:200]}" if opinion.strip() else ""),
            audit_subject=notice.case,
            audit_changes={},
        )
        if approve:
            from zhifa.documents.services import document_issue

            case = notice.case
            document_issue(
                actor=actor,
                organisation=notice.organisation,
                kind="instalment_notice",
                subject=case,
                number=number,
                context={
                    "party_name": notice.party_name,
                    "decision_number": notice.decision_number,
                    "decided_on": case.decided_on,
                    "amount": notice.amount,
                    "plan_kind": plan.get_kind_display().replace("缴纳", ""),
                    "reason": plan.reason,
                    "applied_on": plan.applied_on,
                    "approved_on": today,
                    "payment_code": notice.code,
                    "schedule": [{"due_on": i.due_on, "amount": i.amount} for i in plan.instalments.all()],
                    "party_kind": case.party.kind,
                    **payment_fields(notice),
                },
            )
            # the new schedule: amounts settled again and the overdue flag cleared, as the notice's step
            refresh_notice(notice, actor=actor, reason=number)
    return plan


# ----------------------------------------------------------------------------------------------------------
# overdue, reminder, enforcement


def payments_flag_overdue(*, today: date | None = None) -> int:
    """Daily job: flag notices with an unmet due date (the surcharge runs from the next day, Art. 72(一))."""
    today = today or timezone.localdate()
    flagged = 0
    for notice in PaymentNotice.objects.filter(
        status__in=[PaymentNotice.Status.UNPAID, PaymentNotice.Status.PARTLY_PAID], overdue_on__isnull=True
    ).select_related("case__party", "organisation"):
        state = notice_state(notice, today)
        if state.next_due is None:
            if 0 <= (notice.due_on - today).days <= DUE_SOON_DAYS:
                with transaction.atomic():
                    _tell_payer(
                        notice,
                        kind="payment_due",
                        event=f"notice:{notice.pk}:due:{notice.due_on}",
                        title="罚款缴纳期限临近",
                        body=f"决定书{notice.decision_number}的罚款{notice.amount}元缴款期限为{notice.due_on:%Y年%m月%d日}，"
                        f"缴款码{notice.code}。逾期每日按罚款数额的百分之三加处罚款（行政处罚法第七十二条）。",
                    )
            continue
        with transaction.atomic():
            try:
                # the flag and the surcharge so far as the notice's step, recorded on the case
                workflow.transition(
                    NOTICE_WORKFLOW,
                    notice,
                    "overdue",
                    actor=None,
                    fields={"overdue_on": today, "surcharge": state.surcharge},
                    expect={"overdue_on__isnull": True},
                    audit_subject=notice.case,
                    summary=f"逾期未缴：缴款期限 {state.next_due.due_on}，"
                    f"截至 {today} 加处罚款 {state.surcharge} 元",
                )
            except TransitionNotAllowed:  # flagged (or paid) meanwhile by another worker
                continue
            _tell_payer(
                notice,
                kind="payment_overdue",
                event=f"notice:{notice.pk}:overdue:{state.next_due.due_on}",
                title="罚款逾期未缴",
                body=f"决定书{notice.decision_number}的罚款缴款期限{state.next_due.due_on:%Y年%m月%d日}已过，"
                f"截至{today:%Y年%m月%d日}加处罚款{state.surcharge}元，请尽快缴纳（缴款码{notice.code}）。",
            )
            flagged += 1
    return flagged


DUE_SOON_DAYS = 3  # the party is reminded this many days before the due date


def _tell_payer(notice: PaymentNotice, *, kind: str, event: str, title: str, body: str) -> None:
    """The party hears of a due or missed payment (notifications app; SMS after commit, once per event)."""
    from django.urls import reverse

    from zhifa.notifications.services import notify

    notify(
        kind=kind,
        event=event,
        party=notice.case.party,
        title=title,
        body=body,
        url=reverse("payments:pay", args=[notice.code]),
        subject=notice,
        organisation=notice.organisation,
    )


def payment_reminder_issue(*, actor, notice: PaymentNotice, delivered_on: date | None = None):
    """Issue the 催告书 for an overdue notice (行政强制法 Arts. 35, 54) and record its delivery date,
    from which the 10 days before applying to the court run."""
    assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以制作催告书。")
    assert_in_jurisdiction(actor, notice.organisation)
    today = timezone.localdate()
    state = notice_state(notice, today)
    if notice.status == PaymentNotice.Status.CANCELLED:
        raise DomainError("notice_cancelled", "该缴款通知已撤销（处罚决定已撤销），不能催告。", status=409)
    if notice.status == PaymentNotice.Status.PAID or state.next_due is None:
        raise DomainError("not_overdue", "该缴款通知未逾期，不能催告。")
    delivered_on = delivered_on or today
    from zhifa.documents.services import document_issue

    case = notice.case
    with transaction.atomic():
        doc = document_issue(
            actor=actor,
            organisation=notice.organisation,
            kind="reminder",
            subject=case,
            context={
                "party_name": notice.party_name,
                "decision_number": notice.decision_number,
                "decided_on": case.decided_on,
                "delivered_on": notice.delivered_on,
                "due_on": state.next_due.due_on,
                "amount": notice.amount,
                "outstanding": notice.amount - state.principal_paid,
                "surcharge": state.surcharge,
                "issued_on": today,
                "party_kind": case.party.kind,
                **payment_fields(notice),
            },
        )
        workflow.transition(
            NOTICE_WORKFLOW,
            notice,
            "reminder",
            actor=actor,
            fields={
                "reminded_on": delivered_on,
                "reminder_number": doc.number,
                "overdue_on": notice.overdue_on or today,
                "surcharge": state.surcharge,
            },
            audit_subject=case,
            summary=f"制作并送达催告书 {doc.number}（{delivered_on}），"
            f"欠缴罚款 {notice.amount - state.principal_paid} 元，加处罚款 {state.surcharge} 元",
        )
    notice.refresh_from_db()
    return doc


def enforcement_ready_on(notice: PaymentNotice) -> date | None:
    """The first day the agency may apply to the court: 10 days after the reminder was delivered (行政强制法
    Art. 54) and after the party's reconsideration and litigation periods ended (Art. 53)."""
    from ..enforcement import window

    span = window(notice)
    return span[0] if span else None


def payment_enforcement_apply(
    *, actor, notice: PaymentNotice, applied_on: date | None = None, court: str = ""
) -> PaymentNotice:
    """Apply to the court for enforcement (行政强制法 Arts. 53–55): the 行政强制执行申请书 is issued and the
    application recorded in one transaction."""
    from zhifa.documents.services import document_issue

    from ..enforcement import application_context, assert_may_apply, default_court

    assert_role(actor, Role.HEAD, message="申请人民法院强制执行须经负责人批准。")
    assert_in_jurisdiction(actor, notice.organisation)
    applied_on = applied_on or timezone.localdate()
    if notice.status == PaymentNotice.Status.PAID:
        raise DomainError("not_enforceable", "罚款已缴清，无需申请强制执行。")
    assert_may_apply(notice, applied_on)
    court = court.strip() or default_court(notice.organisation)
    state = notice_state(notice, applied_on)
    with transaction.atomic():
        if not PaymentNotice.objects.filter(pk=notice.pk, enforcement_applied_on__isnull=True).update(
            enforcement_applied_on=applied_on
        ):
            raise DomainError("already_applied", "已申请强制执行。", status=409)
        doc = document_issue(
            actor=actor,
            organisation=notice.organisation,
            kind="enforcement_application",
            subject=notice.case,
            context=application_context(notice, court=court, state=state, applied_on=applied_on),
        )
        audit.record(
            actor=actor,
            action="payment.enforcement_apply",
            subject=notice.case,
            organisation=notice.organisation,
            summary=f"向{court}申请强制执行（{applied_on}），行政强制执行申请书 {doc.number}",
        )
    notice.refresh_from_db()
    return notice


def simulated_payment(
    *, notice: PaymentNotice, amount: Decimal | None = None, paid_at: datetime | None = None
) -> dict:
    """The demo's pay button: build the notification the payment system would send, sign it, and put it
    through the same :func:`payment_callback` path (a finance-issued code: the finance system's
    simulator pays it and its signed notification goes through :func:`feishui_notification`)."""
    if notice.code_issuer == PaymentNotice.Issuer.FEISHUI:
        from ..collectors import simulate_finance_payment

        return simulate_finance_payment(notice, amount=amount, paid_at=paid_at)
    due = amount_due(notice)
    if amount is None and due is None:
        raise DomainError("nothing_due", "该缴款通知无应缴金额（已缴清或已撤销）。", status=409)
    account = collection_account(notice.organisation)
    merchant_id = account.merchant_id if account is not None else ""
    body = json.dumps(
        {
            "transaction_id": f"SIM{secrets.token_hex(8).upper()}",
            "payment_code": notice.code,
            "merchant_id": merchant_id,
            "amount": str(amount if amount is not None else due.amount),
            "channel": "模拟支付",
            "paid_at": (paid_at or timezone.now()).isoformat(),
            "status": "SUCCESS",
        },
        ensure_ascii=False,
    ).encode()
    return payment_callback(body=body, signature=sign(body, merchant_id))
