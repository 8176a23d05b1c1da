"""Payment notices: the payment code, issuing and cancelling a notice, what is due on a day, and who is
told when a notice is paid."""

import logging
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core import legal_calendar, workflow
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from ..models import PaymentNotice, PaymentPlan
from ..settlement import Due, Settlement, settle
from ..workflow import NOTICE_WORKFLOW

log = logging.getLogger(__name__)
PAYMENT_DAYS = 15  # 行政处罚法 Art. 67: pay within 15 days of receiving the decision
CENT = Decimal("0.01")


def _today() -> date:
    return timezone.localdate()


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (the last digit of a 缴款码)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def payment_code_valid(code: str) -> bool:
    return code.isdigit() and len(code) == 18 and luhn_digit(code[:-1]) == code[-1]


def new_payment_code(organisation) -> str:
    """18 digits: the agency's region code (6), the year (2), 9 random digits, a Luhn check digit —
    unguessable, and a mistyped code is refused at the pay page."""
    region = (organisation.region_code or "000000")[:6].ljust(6, "0")
    body = f"{region}{_today():%y}{secrets.randbelow(10**9):09d}"
    return body + luhn_digit(body)


def money(value) -> Decimal:
    """An amount in yuan as a Decimal, refused unless positive and in whole fen."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_amount", "金额格式不正确。") from None
    if amount <= 0 or amount != amount.quantize(CENT) or not amount.is_finite():
        raise DomainError("invalid_amount", "金额须为正数，最多精确到分。")
    return amount


# ----------------------------------------------------------------------------------------------------------
# notices


def payment_codes_in_act() -> bool:
    """Whether the act that issues a notice can make its code itself (the in-product codes), or must first
    ask the finance system (``payment_code_prepare``, outside the act's transaction)."""
    from ..collectors import collector

    return collector().name == "local"


def payment_code_prepare(*, case, amount: Decimal, delivered_on: date) -> None:
    """罚缴分离 with a finance system connected: its 缴款码 is requested before the act's transaction
    opens, so no HTTP call runs inside it (``collectors.FeishuiCollector.prepare``); the act then issues
    the notice with the code already answered. With the in-product codes there is nothing to do. Call
    outside any transaction."""
    from ..collectors import collector

    due = legal_calendar.add_days(delivered_on, PAYMENT_DAYS)
    collector().prepare(case=case, organisation=case.organisation, amount=money(amount), due_on=due.date)


def payment_notice_issue(
    *,
    actor,
    case,
    amount: Decimal,
    delivered_on: date,
    surcharge_base: Decimal | None = None,
    period_from: date | None = None,
) -> PaymentNotice:
    """Issue the payment notice for a delivered fine decision; due 15 days after delivery (Art. 67), on the
    legal calendar (a period ending on a rest day ends on the next working day). ``period_from``: the day
    the code arrived and this notice is issued, when that is later than the decision's delivery (a finance
    system's 缴款码 answered after an on-the-spot decision): the party cannot pay without the code, so the
    15 days run from that day — else the notice could be issued already overdue and the Art. 72 surcharge
    would run against the party. The notice keeps that day (``PaymentNotice.period_from``) and says so."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以开具缴款通知。")
    assert_in_jurisdiction(actor, case.organisation)
    amount = money(amount)
    if PaymentNotice.objects.filter(case=case).exists():
        raise DomainError("notice_exists", f"案件 {case.number} 已开具缴款通知。")
    if period_from is not None and period_from <= delivered_on:
        period_from = None  # the code was there at delivery: the period runs from the delivery
    due = legal_calendar.add_days(period_from or delivered_on, PAYMENT_DAYS)
    counted = (
        f"，自{period_from:%Y-%m-%d}取得缴款码、送达缴款通知书之日起计算"
        f"（决定书{delivered_on:%Y-%m-%d}送达时尚无缴款码）"
        if period_from
        else ""
    )
    from ..collectors import collector

    issuer = collector()
    for attempt in range(5):
        # 罚缴分离: the code is the finance system's when one is connected (collectors.py), else our own.
        issued = issuer.issue_code(
            case=case, organisation=case.organisation, amount=amount, due_on=due.date, attempt=attempt
        )
        notice = PaymentNotice(
            case=case,
            organisation=case.organisation,
            code=issued.code,
            code_issuer=issued.issuer,
            decision_number=case.decision_number or "",
            party_name=case.party.name,
            amount=amount,
            surcharge_base=surcharge_base
            if surcharge_base is not None and surcharge_base != amount
            else None,
            delivered_on=delivered_on,
            period_from=period_from,
            due_on=due.date,
            due_confirmed=due.confirmed,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
                # The notice's first step; the record belongs to the case's full-process record.
                workflow.created(
                    NOTICE_WORKFLOW,
                    notice,
                    "notice_issue",
                    actor=actor,
                    audit_subject=case,
                    summary=f"开具缴款通知：缴款码 {notice.code}（{notice.get_code_issuer_display()}出具），"
                    f"罚款 {amount} 元，缴款期限 {due.label}{counted}（行政处罚法第六十七条）",
                )
            return notice
        except IntegrityError:
            if PaymentNotice.objects.filter(case=case).exists():
                raise DomainError("notice_exists", f"案件 {case.number} 已开具缴款通知。") from None
    raise DomainError("code_exhausted", "生成缴款码失败，请重试。")


def payment_notice_cancel(*, actor, case, reason: str) -> PaymentNotice | None:
    """Cancel the open notice of a case whose decision was revoked: nothing remains to be paid (a paid
    notice is left as it is — refunds are a separate act). Conditional update, recorded in the same
    transaction."""
    notice = PaymentNotice.objects.filter(case=case).first()
    if notice is None or not NOTICE_WORKFLOW.allowed("notice_cancel", notice.status):
        return notice
    return workflow.transition(
        NOTICE_WORKFLOW,
        notice,
        "notice_cancel",
        actor=actor,
        summary=f"撤销缴款通知 {notice.code}：{reason[:200]}",
    )


def schedule_of(notice: PaymentNotice) -> list[Due]:
    """The due dates in force: the latest approved plan's instalments, else the whole fine on the due date."""
    plan = notice.plans.filter(status=PaymentPlan.Status.APPROVED).order_by("-decided_on", "-pk").first()
    if plan is not None:
        return [Due(i.due_on, i.amount) for i in plan.instalments.all()]
    return [Due(notice.due_on, notice.amount)]


def settle_notice(notice: PaymentNotice, payments: list[tuple[date, Decimal]], on: date) -> Settlement:
    """Settle ``payments`` against the notice's schedules on ``on``. An approved instalment/deferral plan
    (行政处罚法 Art. 66 ¶2) replaces the due dates from the day it is approved, not retroactively: the
    surcharge already accrued under the schedule in force until then (Art. 72(一), 3% a day) stays owed —
    an approval after the due date defers what is still to be paid, it does not undo the legal consequence
    of the days already late. The total stays within the cap (never more than the fine). A plan approved
    before the due date accrues nothing and changes nothing accrued."""
    schedule = [Due(notice.due_on, notice.amount)]
    accrued = Decimal("0")
    plans = notice.plans.filter(status=PaymentPlan.Status.APPROVED).order_by("decided_on", "pk")
    for plan in plans.prefetch_related("instalments"):
        cut = min(plan.decided_on or on, on)
        accrued = settle(
            fine=notice.amount,
            base=notice.surcharge_base,
            schedule=schedule,
            payments=[(d, a) for d, a in payments if d <= cut],
            on=cut,
            accrued=accrued,
        ).surcharge
        schedule = [Due(i.due_on, i.amount) for i in plan.instalments.all()]
    return settle(
        fine=notice.amount,
        base=notice.surcharge_base,
        schedule=schedule,
        payments=payments,
        on=on,
        accrued=accrued,
    )


def notice_state(notice: PaymentNotice, on: date | None = None) -> Settlement:
    """What the notice owes on ``on`` (today by default). A cancelled notice (its decision revoked) owes
    nothing and is never late: no amount due, no surcharge, no overdue days anywhere it is shown."""
    payments = [(timezone.localtime(p.paid_at).date(), p.amount) for p in notice.payments.all()]
    state = settle_notice(notice, payments, on or _today())
    if notice.status == PaymentNotice.Status.CANCELLED:
        return Settlement(
            fine=notice.amount,
            principal_paid=state.principal_paid,
            surcharge=Decimal("0"),
            paid_total=state.paid_total,
            outstanding=Decimal("0"),
            paid_on=None,
            days_late=0,
            next_due=None,
            covered=state.covered,
        )
    return state


@dataclass(frozen=True)
class AmountDue:
    """What the party is asked to pay now: the instalment(s) due (or the whole fine without a plan) with the
    surcharge run so far, and the last day for it."""

    amount: Decimal
    due_on: date
    seq: int | None  # the instalment's number under an approved plan; None for the whole fine
    surcharge: Decimal


def amount_due(notice: PaymentNotice, on: date | None = None) -> AmountDue | None:
    """The amount due now, or None when nothing is to be paid (paid in full, or the notice cancelled).
    Under an approved instalment plan it is the earliest unpaid instalment — with every instalment
    already late — not the whole fine (行政处罚法 Art. 66 ¶2)."""
    on = on or _today()
    state = notice_state(notice, on)
    if notice.status == PaymentNotice.Status.CANCELLED or state.is_paid or state.outstanding <= 0:
        return None
    # principal paid so far, applied to the instalments in order
    left, open_rows = state.principal_paid, []
    for seq, (due, _covered) in enumerate(state.covered, 1):
        used = min(left, due.amount)
        left -= used
        if due.amount - used > 0:
            open_rows.append((seq, due, due.amount - used))
    if not open_rows:  # only the surcharge remains
        last = state.covered[-1][0] if state.covered else Due(notice.due_on, notice.amount)
        return AmountDue(amount=state.outstanding, due_on=last.due_on, seq=None, surcharge=state.surcharge)
    late = [row for row in open_rows if row[1].due_on < on]
    rows = late or open_rows[:1]
    planned = len(state.covered) > 1 or notice.plans.filter(status=PaymentPlan.Status.APPROVED).exists()
    principal = sum((r[2] for r in rows), Decimal("0"))
    surcharge_unpaid = max(state.outstanding - sum((r[2] for r in open_rows), Decimal("0")), Decimal("0"))
    return AmountDue(
        amount=(principal + surcharge_unpaid).quantize(CENT),
        due_on=rows[-1][1].due_on,
        seq=rows[-1][0] if planned else None,
        surcharge=surcharge_unpaid,
    )


def payment_fields(notice: PaymentNotice) -> dict:
    """The payment block of a paper (decision, 缴款通知书, 催告书): code, link (the QR encodes it),
    amount due now, last day and channels. A cancelled or paid notice gives no payment block at all."""
    due = amount_due(notice)
    if due is None:
        return {}
    return {
        "payment_code": notice.code,
        "pay_url": notice.pay_url,
        "amount_due": due.amount,
        "due_on": due.due_on,
        "period_from": notice.period_from,
        "instalment_seq": due.seq,
        "payment_channels": settings.ZHIFA_PAYMENT_CHANNELS,
    }


def settled_status(state: Settlement) -> str:
    """The state the payments settle a notice in: paid in full (fine and surcharge), partly paid, unpaid."""
    if state.is_paid:
        return PaymentNotice.Status.PAID
    return PaymentNotice.Status.PARTLY_PAID if state.paid_total > 0 else PaymentNotice.Status.UNPAID


def settled_fields(state: Settlement) -> dict:
    """The notice's stored amounts from a settlement (``settlement.settle``)."""
    return {
        "principal_paid": state.principal_paid,
        "surcharge": state.surcharge,
        "paid_total": state.paid_total,
        "paid_on": state.paid_on,
    }


def refresh_notice(notice: PaymentNotice, *, actor, reason: str = "") -> tuple[PaymentNotice, bool]:
    """Recompute the notice's stored amounts from its payments under a new schedule (an approved plan);
    returns (notice, became_paid). Always the kernel's ``notice_settle`` move — also when the state stays
    the same — so the new amounts and the cleared overdue flag have the notice's step and their record in
    the same transaction. A payment received is the ``received`` move (``callbacks``)."""
    state = notice_state(notice)
    status = settled_status(state)
    was_paid = notice.status == PaymentNotice.Status.PAID
    # a new schedule: an earlier overdue flag no longer holds unless an instalment is late again
    fields = {**settled_fields(state), "overdue_on": None}
    notice = workflow.transition(
        NOTICE_WORKFLOW,
        notice,
        "notice_settle",
        actor=actor,
        target=status,
        fields=fields,
        summary=f"缴款通知 {notice.code} 按批准的分期(延期)缴纳重新核算"
        + (f"（{reason}）" if reason else "")
        + f"：{NOTICE_WORKFLOW.state_label(status)}，已缴 {state.paid_total} 元，"
        f"加处罚款 {state.surcharge} 元"
        "（批准前已产生的加处罚款不因批准而免除，行政处罚法第六十六条、第七十二条）",
    )
    became_paid = status == PaymentNotice.Status.PAID and not was_paid
    if became_paid:
        tell_paid_listeners(notice, actor=actor)
    return notice, became_paid


# Who is told, in the paying transaction, that a notice became paid. The cases app registers its own
# listener (``cases.execution.on_fine_paid``, from ``CasesConfig.ready``): the case moves from 执行中 to
# 执行完毕. Payments sits below cases in the layering (cases issues the notice when it delivers the
# decision) and does not import it.
_paid_listeners: list = []


def on_notice_paid(listener) -> None:
    """Register ``listener(*, notice, actor)``, called when a notice becomes paid in full (once per
    listener)."""
    if listener not in _paid_listeners:
        _paid_listeners.append(listener)


def tell_paid_listeners(notice: PaymentNotice, *, actor) -> None:
    """Tell the listeners (the case) that the fine is paid."""
    for listener in _paid_listeners:
        try:
            with transaction.atomic():
                listener(notice=notice, actor=actor)
        except (
            DomainError
        ) as exc:  # the payment stands; the case page shows the state for a person to resolve
            log.warning("case %s not moved on payment: %s", notice.case_id, exc.message)
