"""罚缴分离: issuing payment notices, receiving the payment system's signed notifications, instalment/deferral
plans, overdue flags, reminders (催告书) and enforcement applications. Each write checks role and jurisdiction
and records itself in the full-process record in the same transaction."""

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa.core import audit, legal_calendar
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .models import CollectionAccount, Instalment, Payment, PaymentNotice, PaymentPlan
from .settlement import Due, Settlement, settle

log = logging.getLogger(__name__)
PAYMENT_DAYS = 15  # 行政处罚法 Art. 67: pay within 15 days of receiving the decision
CENT = Decimal("0.01")


def _today() -> date:
    return timezone.localdate()


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def payment_code_valid(code: str) -> bool:
    return code.isdigit() and len(code) == 18 and _luhn_digit(code[:-1]) == code[-1]


def _new_code(organisation) -> str:
    """18 digits: the agency's region code (6), the year (2), 9 random digits, a Luhn check digit — unguessable,
    and a mistyped code is refused at the pay page."""
    region = (organisation.region_code or "000000")[:6].ljust(6, "0")
    body = f"{region}{_today():%y}{secrets.randbelow(10**9):09d}"
    return body + _luhn_digit(body)


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_amount", "金额格式不正确。") from None
    if amount <= 0 or amount != amount.quantize(CENT) or not amount.is_finite():
        raise DomainError("invalid_amount", "金额须为正数，最多精确到分。")
    return amount


# ---------------------------------------------------------------------------------------------------------------
# notices


def payment_codes_in_act() -> bool:
    """Whether the act that issues a notice can make its code itself (the in-product codes), or must first ask the
    finance system (``payment_code_prepare``, outside the act's transaction)."""
    from .collectors import collector

    return collector().name == "local"


def payment_code_prepare(*, case, amount: Decimal, delivered_on: date) -> None:
    """罚缴分离 with a finance system connected: its 缴款码 is requested before the act's transaction opens, so no
    HTTP call runs inside it (``collectors.FeishuiCollector.prepare``); the act then issues the notice with the code
    already answered. With the in-product codes there is nothing to do. Call outside any transaction."""
    from .collectors import collector

    due = legal_calendar.add_days(delivered_on, PAYMENT_DAYS)
    collector().prepare(case=case, organisation=case.organisation, amount=_money(amount), due_on=due.date)


def payment_notice_issue(*, actor, case, amount: Decimal, delivered_on: date, surcharge_base: Decimal | None = None) -> PaymentNotice:
    """Issue the payment notice for a delivered fine decision; due 15 days after delivery (Art. 67), on the
    legal calendar (a period ending on a rest day ends on the next working day)."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以开具缴款通知。")
    assert_in_jurisdiction(actor, case.organisation)
    amount = _money(amount)
    if PaymentNotice.objects.filter(case=case).exists():
        raise DomainError("notice_exists", f"案件 {case.number} 已开具缴款通知。")
    due = legal_calendar.add_days(delivered_on, PAYMENT_DAYS)
    from .collectors import collector

    issuer = collector()
    for attempt in range(5):
        # 罚缴分离: the code is the finance system's when one is connected (collectors.py), else our own.
        issued = issuer.issue_code(case=case, organisation=case.organisation, amount=amount, due_on=due.date, attempt=attempt)
        notice = PaymentNotice(case=case, organisation=case.organisation, code=issued.code, code_issuer=issued.issuer,
                               decision_number=case.decision_number or "", party_name=case.party.name, amount=amount,
                               surcharge_base=surcharge_base if surcharge_base is not None and surcharge_base != amount else None,
                               delivered_on=delivered_on, due_on=due.date, due_confirmed=due.confirmed,
                               created_by=actor if getattr(actor, "pk", None) else None)
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
                audit.record(actor=actor, action="payment.notice_issue", subject=case, organisation=case.organisation,
                             summary=f"开具缴款通知：缴款码 {notice.code}（{notice.get_code_issuer_display()}出具），罚款 {amount} 元，缴款期限 {due.label}（行政处罚法第六十七条）",
                             after=audit.snapshot(notice))
            return notice
        except IntegrityError:
            if PaymentNotice.objects.filter(case=case).exists():
                raise DomainError("notice_exists", f"案件 {case.number} 已开具缴款通知。") from None
    raise DomainError("code_exhausted", "生成缴款码失败，请重试。")


def payment_notice_cancel(*, actor, case, reason: str) -> PaymentNotice | None:
    """Cancel the open notice of a case whose decision was revoked: nothing remains to be paid (a paid notice is
    left as it is — refunds are a separate act). Conditional update, recorded in the same transaction."""
    notice = PaymentNotice.objects.filter(case=case).first()
    if notice is None or notice.status in (PaymentNotice.Status.PAID, PaymentNotice.Status.CANCELLED):
        return notice
    with transaction.atomic():
        changed = PaymentNotice.objects.filter(pk=notice.pk, status=notice.status).update(status=PaymentNotice.Status.CANCELLED)
        if changed != 1:
            raise DomainError("notice_changed", "缴款通知状态已变化，请刷新后重试。", status=409)
        audit.record(actor=actor, action="payment.notice_cancel", subject=notice, organisation=notice.organisation,
                     changes={"status": [notice.status, PaymentNotice.Status.CANCELLED]},
                     summary=f"撤销缴款通知 {notice.code}：{reason[:200]}")
    notice.refresh_from_db()
    return notice


def schedule_of(notice: PaymentNotice) -> list[Due]:
    """The due dates in force: the latest approved plan's instalments, else the whole fine on the due date."""
    plan = notice.plans.filter(status=PaymentPlan.Status.APPROVED).order_by("-decided_on", "-pk").first()
    if plan is not None:
        return [Due(i.due_on, i.amount) for i in plan.instalments.all()]
    return [Due(notice.due_on, notice.amount)]


def notice_state(notice: PaymentNotice, on: date | None = None) -> Settlement:
    """What the notice owes on ``on`` (today by default). A cancelled notice (its decision revoked) owes nothing
    and is never late: no amount due, no surcharge, no overdue days anywhere it is shown."""
    payments = [(timezone.localtime(p.paid_at).date(), p.amount) for p in notice.payments.all()]
    state = settle(fine=notice.amount, base=notice.surcharge_base, schedule=schedule_of(notice), payments=payments, on=on or _today())
    if notice.status == PaymentNotice.Status.CANCELLED:
        return Settlement(fine=notice.amount, principal_paid=state.principal_paid, surcharge=Decimal("0"),
                          paid_total=state.paid_total, outstanding=Decimal("0"), paid_on=None, days_late=0, next_due=None,
                          covered=state.covered)
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
    """The amount due now, or None when nothing is to be paid (paid in full, or the notice cancelled). Under an
    approved instalment plan it is the earliest unpaid instalment — with every instalment already late — not the
    whole fine (行政处罚法 Art. 66 ¶2)."""
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
    return AmountDue(amount=(principal + surcharge_unpaid).quantize(CENT), due_on=rows[-1][1].due_on,
                     seq=rows[-1][0] if planned else None, surcharge=surcharge_unpaid)


def payment_fields(notice: PaymentNotice) -> dict:
    """The payment block of a paper (decision, 缴款通知书, 催告书): code, link (the QR encodes it), amount due now,
    last day and channels. A cancelled or paid notice gives no payment block at all."""
    due = amount_due(notice)
    if due is None:
        return {}
    return {"payment_code": notice.code, "pay_url": notice.pay_url, "amount_due": due.amount, "due_on": due.due_on,
            "instalment_seq": due.seq, "payment_channels": settings.ZHIFA_PAYMENT_CHANNELS}


def _refresh(notice: PaymentNotice, *, actor) -> tuple[PaymentNotice, bool]:
    """Recompute the notice's stored state from its payments; returns (notice, became_paid)."""
    state = notice_state(notice)
    was_paid = notice.status == PaymentNotice.Status.PAID
    if state.is_paid:
        status = PaymentNotice.Status.PAID
    elif state.paid_total > 0:
        status = PaymentNotice.Status.PARTLY_PAID
    else:
        status = PaymentNotice.Status.UNPAID
    PaymentNotice.objects.filter(pk=notice.pk).update(status=status, principal_paid=state.principal_paid, surcharge=state.surcharge,
                                                      paid_total=state.paid_total, paid_on=state.paid_on)
    notice.refresh_from_db()
    became_paid = status == PaymentNotice.Status.PAID and not was_paid
    if became_paid:
        _case_paid(notice, actor=actor)
    return notice, became_paid


# Who is told, in the paying transaction, that a notice became paid. The cases app registers its own listener
# (``cases.execution.on_fine_paid``, from ``CasesConfig.ready``): the case moves from 执行中 to 执行完毕. Payments
# sits below cases in the layering (cases issues the notice when it delivers the decision) and does not import it.
_paid_listeners: list = []


def on_notice_paid(listener) -> None:
    """Register ``listener(*, notice, actor)``, called when a notice becomes paid in full (once per listener)."""
    if listener not in _paid_listeners:
        _paid_listeners.append(listener)


def _case_paid(notice: PaymentNotice, *, actor) -> None:
    """Tell the listeners (the case) that the fine is paid."""
    for listener in _paid_listeners:
        try:
            with transaction.atomic():
                listener(notice=notice, actor=actor)
        except DomainError as exc:  # the payment stands; the case page shows the state for a person to resolve
            log.warning("case %s not moved on payment: %s", notice.case_id, exc.message)


# ---------------------------------------------------------------------------------------------------------------
# the payment system's callback


def _merchant_key(merchant_id: str) -> tuple[str, bool]:
    """The key a notification naming ``merchant_id`` is signed with: the merchant's own (True), else the shared
    development key (False)."""
    key = settings.PAYMENT_MERCHANT_KEYS.get(merchant_id) if merchant_id else None
    return (str(key), True) if key else (settings.PAYMENT_CALLBACK_SECRET, False)


def sign(body: bytes, merchant_id: str = "") -> str:
    """The signature the payment system sends in ``X-Signature``: hex HMAC-SHA256 of the raw body under the key of
    the merchant the body names (``merchant_id``)."""
    return hmac.new(_merchant_key(merchant_id)[0].encode(), body, hashlib.sha256).hexdigest()


def collection_account(organisation) -> CollectionAccount | None:
    """The account that collects an agency's fines: its own, else the nearest one above it (a brigade's notices
    are paid to its county bureau's account when the brigade has none)."""
    ancestors = [c for c in organisation.path.strip("/").split("/") if c]
    accounts = {a.organisation.code: a for a in CollectionAccount.objects.filter(organisation__code__in=ancestors).select_related("organisation")}
    return next((accounts[c] for c in reversed(ancestors) if c in accounts), None)


def _claimed_merchant(body: bytes) -> str:
    """The merchant id an (as yet unverified) notification names, to pick the key to verify it with."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested to exhaust the parser: the signature check refuses it
        return ""
    return str(data.get("merchant_id", "")).strip() if isinstance(data, dict) else ""


def _refuse(code: str, message: str, *, status: int, txn: str, notice: PaymentNotice | None = None, **details):
    log.warning("payment callback refused (%s): transaction %s, notice %s %s", code, txn, notice.code if notice else "-", details)
    return DomainError(code, message, status=status)


def _verified(body: bytes, signature: str, key: str, *, txn_field: str, amount_field: str, paid: str):
    """Check a payment notification's signature (hex HMAC-SHA256 of the raw body under ``key``) and read it: (data,
    transaction id, code, amount, paid_at), or the ``ignored`` answer for a notification that is not a payment.
    Refusals raise ``DomainError`` before anything is read from the database."""
    expected = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise DomainError("bad_signature", "签名校验失败。", status=401)
    try:
        data = json.loads(body)
        txn = str(data[txn_field]).strip()
        code = str(data["payment_code"]).strip()
        amount = _money(data[amount_field])
        paid_at = parse_datetime(str(data["paid_at"]))
        status = str(data.get("status", paid)).upper()
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DomainError("invalid_notification", "通知报文格式不正确。", status=422) from None
    if not txn or len(txn) > 64 or paid_at is None:
        raise DomainError("invalid_notification", "通知报文缺少流水号或支付时间。", status=422)
    if timezone.is_naive(paid_at):
        paid_at = timezone.make_aware(paid_at)
    if status != paid:
        return {"result": "ignored", "transaction_id": txn}
    if paid_at > timezone.now() + timedelta(seconds=settings.PAYMENT_CLOCK_SKEW_SECONDS):
        raise _refuse("invalid_paid_at", "支付时间晚于当前时间。", status=422, txn=txn, paid_at=paid_at)
    return data, txn, code, amount, paid_at


def payment_callback(*, body: bytes, signature: str) -> dict:
    """Process one notification from the payment system. Verified by HMAC over the raw body under the key of the
    merchant it names, and that merchant must be the one collecting for the notice's agency; idempotent by the
    payment system's transaction id (a repeat answers ``duplicate`` and changes nothing); the notice's state is
    recomputed from all its payments, so notifications may arrive in any order.

    Refused, with nothing recorded (docs/payments.md): ``paid_at`` before the day the decision was delivered or
    later than now plus ``PAYMENT_CLOCK_SKEW_SECONDS``; a payment on a notice already paid (``already_paid``) or
    more than the fine plus the surcharge still owed (``overpayment``). The payment system then returns the money
    to the payer; the platform never holds an overpayment."""
    merchant_id = _claimed_merchant(body)
    key, own_key = _merchant_key(merchant_id)
    n = _verified(body, signature, key, txn_field="transaction_id", amount_field="amount", paid="SUCCESS")
    if isinstance(n, dict):
        return n
    data, txn, code, amount, paid_at = n

    def bound_to(notice: PaymentNotice) -> bool:
        if notice.code_issuer != PaymentNotice.Issuer.LOCAL:  # a finance-issued code is paid through the finance system
            return False
        account = collection_account(notice.organisation)
        if account is not None:
            return own_key and account.active and merchant_id == account.merchant_id
        return settings.PAYMENT_SHARED_KEY_FALLBACK and not own_key

    # transaction ids are unique per merchant, not across merchants
    return _payment_record(code=code, txn=txn, amount=amount, paid_at=paid_at, merchant=merchant_id if own_key else "",
                           channel=str(data.get("channel", ""))[:40], digest=hashlib.sha256(body).hexdigest(),
                           bound_to=bound_to, source="")


def _payment_record(*, code: str, txn: str, amount: Decimal, paid_at: datetime, merchant: str, channel: str, digest: str,
                    bound_to, source: str) -> dict:
    """Record one verified payment notification (the payment system's callback or the finance system's): under the
    notice's row lock, idempotent by (merchant, transaction id), refused with nothing written when it does not fit
    the notice (docs/payments.md); a notice paid in full moves its case to 执行完毕."""
    with transaction.atomic():
        notice = PaymentNotice.objects.select_for_update().filter(code=code).select_related("organisation").first()
        if notice is None:
            raise DomainError("unknown_code", "缴款码不存在。", status=404)
        if not bound_to(notice):  # another agency's merchant: the code does not exist for it
            raise _refuse("unknown_code", "缴款码不存在。", status=404, txn=txn, notice=notice, merchant=merchant)
        existing = Payment.objects.filter(merchant_id=merchant, transaction_id=txn).first()
        if existing is not None:
            if existing.notice_id != notice.pk or existing.amount != amount or existing.paid_at != paid_at:
                raise DomainError("transaction_conflict", "同一支付流水号的通知内容与已记录的不一致。", status=409)
            return {"result": "duplicate", "transaction_id": txn, "status": notice.status}
        if notice.status == PaymentNotice.Status.CANCELLED:
            raise DomainError("notice_cancelled", "该缴款通知已撤销。", status=409)
        if timezone.localtime(paid_at).date() < notice.delivered_on:
            raise _refuse("invalid_paid_at", "支付时间早于处罚决定书送达日期。", status=422, txn=txn, notice=notice, paid_at=paid_at)
        if notice.status == PaymentNotice.Status.PAID:
            raise _refuse("already_paid", f"缴款码 {notice.code} 的罚款已缴清，不能重复缴纳。", status=409, txn=txn, notice=notice, amount=amount)
        # Under the notice's row lock (one writer at a time, also on SQLite's IMMEDIATE transactions): the fine and
        # the surcharge owed, with this payment counted, must not be exceeded (行政处罚法 Art. 72(一): surcharge
        # capped at the fine).
        payments = [(timezone.localtime(p.paid_at).date(), p.amount) for p in notice.payments.all()]
        after = settle(fine=notice.amount, base=notice.surcharge_base, schedule=schedule_of(notice), payments=[*payments, (timezone.localtime(paid_at).date(), amount)],
                       on=_today())
        if after.paid_total > after.fine + after.surcharge:
            owed = notice_state(notice).outstanding
            raise _refuse("overpayment", f"缴款金额 {amount} 元超过应缴金额 {owed} 元。", status=409, txn=txn, notice=notice, amount=amount)
        try:
            with transaction.atomic():
                Payment.objects.create(notice=notice, merchant_id=merchant, transaction_id=txn, amount=amount, paid_at=paid_at,
                                       channel=channel, body_sha256=digest)
        except IntegrityError:  # the same notification, committed by a concurrent request just now
            return {"result": "duplicate", "transaction_id": txn, "status": notice.status}
        notice, became_paid = _refresh(notice, actor=None)
        audit.record(actor=None, action="payment.received", subject=notice.case, organisation=notice.organisation,
                     summary=f"收到{source}缴款 {amount} 元（流水号 {txn}，{timezone.localtime(paid_at):%Y-%m-%d %H:%M}）"
                     + (f"，已缴清（含加处罚款 {notice.surcharge} 元）" if became_paid else ""),
                     changes={"transaction_id": txn, "amount": amount, "body_sha256": digest, "status": notice.status})
    return {"result": "recorded", "transaction_id": txn, "status": notice.status}


FEISHUI_MERCHANT = "feishui"  # Payment.merchant_id of the finance system's notifications (its bill numbers are unique)


def feishui_notification(*, body: bytes, signature: str) -> dict:
    """A payment notification of the finance bureau's 非税收入收缴系统 (docs/integrations/feishui.md): signed with
    the key agreed with it (``INTEGRATION_FEISHUI_SECRET``, HMAC-SHA256 of the raw body in ``X-Feishui-Signature``),
    for a code it issued, naming the 执收单位编码 the code was requested for. Idempotent by its bill number
    (票据号/交易流水号); then recorded like every payment (:func:`_payment_record`)."""
    from .collectors import agency_code

    if settings.ZHIFA_PAYMENT_COLLECTOR != "feishui":
        # Not connected to a finance system here (the in-product collector): the endpoint does not exist for this
        # deployment.
        raise DomainError("not_enabled", "本平台未接入非税收入收缴系统。", status=404)
    secret = (settings.INTEGRATION_ENDPOINTS.get("feishui") or {}).get("secret", "")
    if not secret:
        # Connected but without the agreed key: a configuration fault the operator must see (the finance system
        # retries its notification).
        raise DomainError("not_configured", "未配置非税收入收缴系统的签名密钥。", status=503)
    n = _verified(body, signature, secret, txn_field="bill_no", amount_field="amount_yuan", paid="PAID")
    if isinstance(n, dict):
        return n
    data, bill, code, amount, paid_at = n
    agency = str(data.get("agency_code", "")).strip()

    def bound_to(notice: PaymentNotice) -> bool:
        # Only a code the finance system issued, for the collecting unit it was requested for.
        return notice.code_issuer == PaymentNotice.Issuer.FEISHUI and agency == agency_code(notice.organisation)

    return _payment_record(code=code, txn=bill, amount=amount, paid_at=paid_at, merchant=FEISHUI_MERCHANT,
                           channel=str(data.get("channel", "非税收入收缴系统"))[:40], digest=hashlib.sha256(body).hexdigest(),
                           bound_to=bound_to, source="非税收入系统通知的")


# ---------------------------------------------------------------------------------------------------------------
# instalments and deferral (Art. 66 ¶2)


def payment_plan_apply(*, actor, notice: PaymentNotice, kind: str, reason: str, schedule: list[tuple[date, Decimal]],
                       applied_on: date | None = None) -> PaymentPlan:
    """Record the party's written application to pay by instalments or later (行政处罚法 Art. 66 ¶2: 确有经济困难)."""
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
    rows = sorted((d, _money(a)) for d, a in schedule)
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
    applied_on = applied_on or _today()
    if rows[0][0] <= applied_on:
        raise DomainError("schedule_past", "缴纳期限应晚于申请日期。")
    with transaction.atomic():
        plan = PaymentPlan.objects.create(notice=notice, kind=kind, reason=reason.strip(), applied_on=applied_on, recorded_by=actor)
        Instalment.objects.bulk_create([Instalment(plan=plan, seq=i, due_on=d, amount=a) for i, (d, a) in enumerate(rows, 1)])
        audit.record(actor=actor, action="payment.plan_apply", subject=notice.case, organisation=notice.organisation,
                     summary=f"登记{plan.get_kind_display()}申请：" + "；".join(f"{d} {a}元" for d, a in rows))
    return plan


def payment_plan_decide(*, actor, plan: PaymentPlan, approve: bool, opinion: str = "") -> PaymentPlan:
    """The head approves or refuses; an approval issues the 分期(延期)缴纳罚款通知书 and replaces the due dates."""
    assert_role(actor, Role.HEAD, message="分期(延期)缴纳须经负责人批准（行政处罚法第六十六条第二款）。")
    notice = plan.notice
    assert_in_jurisdiction(actor, notice.organisation)
    if not approve and not opinion.strip():
        raise DomainError("opinion_required", "不予批准的，请写明理由。")
    if approve and notice.status in (PaymentNotice.Status.PAID, PaymentNotice.Status.CANCELLED):
        raise DomainError("notice_closed", "罚款已缴清或缴款通知已撤销，无需批准分期(延期)。")
    today = _today()
    new_status = PaymentPlan.Status.APPROVED if approve else PaymentPlan.Status.REJECTED
    with transaction.atomic():
        if not PaymentPlan.objects.filter(pk=plan.pk, status=PaymentPlan.Status.PENDING).update(
                status=new_status, decided_by=actor, decided_on=today, opinion=opinion.strip()[:300]):
            raise DomainError("plan_decided", "该申请已审批。", status=409)
        plan.refresh_from_db()
        number = ""
        if approve:
            from zhifa.documents.services import document_issue

            case = notice.case
            doc = document_issue(actor=actor, organisation=notice.organisation, kind="instalment_notice", subject=case, context={
                "party_name": notice.party_name, "decision_number": notice.decision_number, "decided_on": case.decided_on,
                "amount": notice.amount, "plan_kind": plan.get_kind_display().replace("缴纳", ""), "reason": plan.reason,
                "applied_on": plan.applied_on, "approved_on": today, "payment_code": notice.code,
                "schedule": [{"due_on": i.due_on, "amount": i.amount} for i in plan.instalments.all()],
                "party_kind": case.party.kind, **payment_fields(notice),
            })
            number = doc.number
            PaymentPlan.objects.filter(pk=plan.pk).update(document_number=number)
            plan.document_number = number
            _refresh(notice, actor=actor)
            # a new schedule: an earlier overdue flag no longer holds unless an instalment is late again
            PaymentNotice.objects.filter(pk=notice.pk).update(overdue_on=None)
        audit.record(actor=actor, action="payment.plan_decide", subject=notice.case, organisation=notice.organisation,
                     summary=f"{'批准' if approve else '不予批准'}{plan.get_kind_display()}申请" + (f"，{number}" if number else "")
                     + (f"：{opinion.strip()[:200]}" if opinion.strip() else ""))
    return plan


# ---------------------------------------------------------------------------------------------------------------
# overdue, reminder, enforcement


def payments_flag_overdue(*, today: date | None = None) -> int:
    """Daily job: flag notices with an unmet due date (the surcharge runs from the next day, Art. 72(一))."""
    today = today or _today()
    flagged = 0
    for notice in PaymentNotice.objects.filter(status__in=[PaymentNotice.Status.UNPAID, PaymentNotice.Status.PARTLY_PAID],
                                               overdue_on__isnull=True).select_related("case__party", "organisation"):
        state = notice_state(notice, today)
        if state.next_due is None:
            if 0 <= (notice.due_on - today).days <= DUE_SOON_DAYS:
                with transaction.atomic():
                    _tell_payer(notice, kind="payment_due", event=f"notice:{notice.pk}:due:{notice.due_on}", title="罚款缴纳期限临近",
                                body=f"决定书{notice.decision_number}的罚款{notice.amount}元缴款期限为{notice.due_on:%Y年%m月%d日}，"
                                     f"缴款码{notice.code}。逾期每日按罚款数额的百分之三加处罚款（行政处罚法第七十二条）。")
            continue
        with transaction.atomic():
            if PaymentNotice.objects.filter(pk=notice.pk, overdue_on__isnull=True).update(overdue_on=today, surcharge=state.surcharge):
                audit.record(actor=None, action="payment.overdue", subject=notice.case, organisation=notice.organisation,
                             summary=f"逾期未缴：缴款期限 {state.next_due.due_on}，截至 {today} 加处罚款 {state.surcharge} 元")
                _tell_payer(notice, kind="payment_overdue", event=f"notice:{notice.pk}:overdue:{state.next_due.due_on}", title="罚款逾期未缴",
                            body=f"决定书{notice.decision_number}的罚款缴款期限{state.next_due.due_on:%Y年%m月%d日}已过，"
                                 f"截至{today:%Y年%m月%d日}加处罚款{state.surcharge}元，请尽快缴纳（缴款码{notice.code}）。")
                flagged += 1
    return flagged


DUE_SOON_DAYS = 3  # the party is reminded this many days before the due date


def _tell_payer(notice: PaymentNotice, *, kind: str, event: str, title: str, body: str) -> None:
    """The party hears of a due or missed payment (notifications app; SMS after commit, once per event)."""
    from django.urls import reverse

    from zhifa.notifications.services import notify

    notify(kind=kind, event=event, party=notice.case.party, title=title, body=body, url=reverse("payments:pay", args=[notice.code]),
           subject=notice, organisation=notice.organisation)


def payment_reminder_issue(*, actor, notice: PaymentNotice, delivered_on: date | None = None):
    """Issue the 催告书 for an overdue notice (行政强制法 Arts. 35, 54) and record its delivery date, from which
    the 10 days before applying to the court run."""
    assert_role(actor, Role.OFFICER, Role.HEAD, message="只有执法人员或负责人可以制作催告书。")
    assert_in_jurisdiction(actor, notice.organisation)
    today = _today()
    state = notice_state(notice, today)
    if notice.status == PaymentNotice.Status.CANCELLED:
        raise DomainError("notice_cancelled", "该缴款通知已撤销（处罚决定已撤销），不能催告。", status=409)
    if notice.status == PaymentNotice.Status.PAID or state.next_due is None:
        raise DomainError("not_overdue", "该缴款通知未逾期，不能催告。")
    delivered_on = delivered_on or today
    from zhifa.documents.services import document_issue

    case = notice.case
    with transaction.atomic():
        doc = document_issue(actor=actor, organisation=notice.organisation, kind="reminder", subject=case, context={
            "party_name": notice.party_name, "decision_number": notice.decision_number, "decided_on": case.decided_on,
            "delivered_on": notice.delivered_on, "due_on": state.next_due.due_on, "amount": notice.amount,
            "outstanding": notice.amount - state.principal_paid, "surcharge": state.surcharge, "issued_on": today,
            "party_kind": case.party.kind, **payment_fields(notice),
        })
        PaymentNotice.objects.filter(pk=notice.pk).update(reminded_on=delivered_on, reminder_number=doc.number,
                                                          overdue_on=notice.overdue_on or today, surcharge=state.surcharge)
        audit.record(actor=actor, action="payment.reminder", subject=case, organisation=notice.organisation,
                     summary=f"制作并送达催告书 {doc.number}（{delivered_on}），欠缴罚款 {notice.amount - state.principal_paid} 元，加处罚款 {state.surcharge} 元")
    notice.refresh_from_db()
    return doc


def enforcement_ready_on(notice: PaymentNotice) -> date | None:
    """The first day the agency may apply to the court: 10 days after the reminder was delivered (行政强制法
    Art. 54) and after the party's reconsideration and litigation periods ended (Art. 53)."""
    from .enforcement import window

    span = window(notice)
    return span[0] if span else None


def payment_enforcement_apply(*, actor, notice: PaymentNotice, applied_on: date | None = None, court: str = "") -> PaymentNotice:
    """Apply to the court for enforcement (行政强制法 Arts. 53–55): the 行政强制执行申请书 is issued and the
    application recorded in one transaction."""
    from zhifa.documents.services import document_issue

    from .enforcement import application_context, assert_may_apply, default_court

    assert_role(actor, Role.HEAD, message="申请人民法院强制执行须经负责人批准。")
    assert_in_jurisdiction(actor, notice.organisation)
    applied_on = applied_on or _today()
    if notice.status == PaymentNotice.Status.PAID:
        raise DomainError("not_enforceable", "罚款已缴清，无需申请强制执行。")
    assert_may_apply(notice, applied_on)
    court = court.strip() or default_court(notice.organisation)
    state = notice_state(notice, applied_on)
    with transaction.atomic():
        if not PaymentNotice.objects.filter(pk=notice.pk, enforcement_applied_on__isnull=True).update(enforcement_applied_on=applied_on):
            raise DomainError("already_applied", "已申请强制执行。", status=409)
        doc = document_issue(actor=actor, organisation=notice.organisation, kind="enforcement_application", subject=notice.case,
                             context=application_context(notice, court=court, state=state, applied_on=applied_on))
        audit.record(actor=actor, action="payment.enforcement_apply", subject=notice.case, organisation=notice.organisation,
                     summary=f"向{court}申请强制执行（{applied_on}），行政强制执行申请书 {doc.number}")
    notice.refresh_from_db()
    return notice


def simulated_payment(*, notice: PaymentNotice, amount: Decimal | None = None, paid_at: datetime | None = None) -> dict:
    """The demo's pay button: build the notification the payment system would send, sign it, and put it through
    the same :func:`payment_callback` path (a finance-issued code: the finance system's simulator pays it and its
    signed notification goes through :func:`feishui_notification`)."""
    if notice.code_issuer == PaymentNotice.Issuer.FEISHUI:
        from .collectors import simulate_finance_payment

        return simulate_finance_payment(notice, amount=amount, paid_at=paid_at)
    due = amount_due(notice)
    if amount is None and due is None:
        raise DomainError("nothing_due", "该缴款通知无应缴金额（已缴清或已撤销）。", status=409)
    account = collection_account(notice.organisation)
    merchant_id = account.merchant_id if account is not None else ""
    body = json.dumps({
        "transaction_id": f"SIM{secrets.token_hex(8).upper()}", "payment_code": notice.code, "merchant_id": merchant_id,
        "amount": str(amount if amount is not None else due.amount), "channel": "模拟支付",
        "paid_at": (paid_at or timezone.now()).isoformat(), "status": "SUCCESS",
    }, ensure_ascii=False).encode()
    return payment_callback(body=body, signature=sign(body, merchant_id))
