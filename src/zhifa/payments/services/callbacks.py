"""The payment system's signed callback and the finance system's (非税收入) notifications: verified,
recorded once, applied to the notice."""

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhifa.core import workflow
from zhifa.core.errors import DomainError

from ..models import CollectionAccount, Payment, PaymentNotice
from ..workflow import NOTICE_WORKFLOW
from .notices import (
    log,
    money,
    notice_state,
    settle_notice,
    settled_fields,
    settled_status,
    tell_paid_listeners,
)


def _merchant_key(merchant_id: str) -> tuple[str, bool]:
    """The key a notification naming ``merchant_id`` is signed with: the merchant's own (True), else the
    shared development key (False)."""
    key = settings.PAYMENT_MERCHANT_KEYS.get(merchant_id) if merchant_id else None
    return (str(key), True) if key else (settings.PAYMENT_CALLBACK_SECRET, False)


def sign(body: bytes, merchant_id: str = "") -> str:
    """The signature the payment system sends in ``X-Signature``: hex HMAC-SHA256 of the raw body under
    the key of the merchant the body names (``merchant_id``)."""
    return hmac.new(_merchant_key(merchant_id)[0].encode(), body, hashlib.sha256).hexdigest()


def collection_account(organisation) -> CollectionAccount | None:
    """The account that collects an agency's fines: its own, else the nearest one above it (a brigade's
    notices are paid to its county bureau's account when the brigade has none)."""
    ancestors = [c for c in organisation.path.strip("/").split("/") if c]
    accounts = {
        a.organisation.code: a
        for a in CollectionAccount.objects.filter(organisation__code__in=ancestors).select_related(
            "organisation"
        )
    }
    return next((accounts[c] for c in reversed(ancestors) if c in accounts), None)


def _claimed_merchant(body: bytes) -> str:
    """The merchant id an (as yet unverified) notification names, to pick the key to verify it with."""
    try:
        data = json.loads(body)
    except (
        ValueError,
        RecursionError,
    ):  # not JSON, or nested to exhaust the parser: the signature check refuses it
        return ""
    return str(data.get("merchant_id", "")).strip() if isinstance(data, dict) else ""


def _refuse(
    code: str, message: str, *, status: int, txn: str, notice: PaymentNotice | None = None, **details
):
    log.warning(
        "payment callback refused (%s): transaction %s, notice %s %s",
        code,
        txn,
        notice.code if notice else "-",
        details,
    )
    return DomainError(code, message, status=status)


def _verified(body: bytes, signature: str, key: str, *, txn_field: str, amount_field: str, paid: str):
    """Check a payment notification's signature (hex HMAC-SHA256 of the raw body under ``key``) and read
    it: (data, transaction id, code, amount, paid_at), or the ``ignored`` answer for a notification that
    is not a payment. Refusals raise ``DomainError`` before anything is read from the database."""
    expected = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise DomainError("bad_signature", "签名校验失败。", status=401)
    try:
        data = json.loads(body)
        txn = str(data[txn_field]).strip()
        code = str(data["payment_code"]).strip()
        amount = money(data[amount_field])
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
    """Process one notification from the payment system. Verified by HMAC over the raw body under the
    key of the merchant it names, and that merchant must be the one collecting for the notice's agency;
    idempotent by the payment system's transaction id (a repeat answers ``duplicate`` and changes
    nothing); the notice's state is recomputed from all its payments, so notifications may arrive in any
    order.

    Refused, with nothing recorded (docs/payments.md): ``paid_at`` before the day the decision was
    delivered or later than now plus ``PAYMENT_CLOCK_SKEW_SECONDS``; a payment on a notice already paid
    (``already_paid``) or more than the fine plus the surcharge still owed (``overpayment``). The
    payment system then returns the money to the payer; the platform never holds an overpayment."""
    merchant_id = _claimed_merchant(body)
    key, own_key = _merchant_key(merchant_id)
    n = _verified(body, signature, key, txn_field="transaction_id", amount_field="amount", paid="SUCCESS")
    if isinstance(n, dict):
        return n
    data, txn, code, amount, paid_at = n

    def bound_to(notice: PaymentNotice) -> bool:
        if (
            notice.code_issuer != PaymentNotice.Issuer.LOCAL
        ):  # a finance-issued code is paid through the finance system
            return False
        account = collection_account(notice.organisation)
        if account is not None:
            return own_key and account.active and merchant_id == account.merchant_id
        return settings.PAYMENT_SHARED_KEY_FALLBACK and not own_key

    # transaction ids are unique per merchant, not across merchants
    return _payment_record(
        code=code,
        txn=txn,
        amount=amount,
        paid_at=paid_at,
        merchant=merchant_id if own_key else "",
        channel=str(data.get("channel", ""))[:40],
        digest=hashlib.sha256(body).hexdigest(),
        bound_to=bound_to,
        source="",
    )


def _payment_record(
    *,
    code: str,
    txn: str,
    amount: Decimal,
    paid_at: datetime,
    merchant: str,
    channel: str,
    digest: str,
    bound_to,
    source: str,
) -> dict:
    """Record one verified payment notification (the payment system's callback or the finance system's):
    under the notice's row lock, idempotent by (merchant, transaction id), refused with nothing written
    when it does not fit the notice (docs/payments.md); a notice paid in full moves its case to
    执行完毕."""
    with transaction.atomic():
        # The notice's row alone, and not against the key checks of rows that refer to it (FOR NO KEY
        # UPDATE OF the notice): locking the joined unit too made a paper's commit wait for this callback
        # while the callback waited for the record that paper's transaction held (a deadlock of
        # `zhifa demo-data` on PostgreSQL, 2026-12-06).
        notice = (
            PaymentNotice.objects.select_for_update(of=("self",), no_key=True).filter(code=code)
            .select_related("organisation").first()
        )
        if notice is None:
            raise DomainError("unknown_code", "缴款码不存在。", status=404)
        if not bound_to(notice):  # another agency's merchant: the code does not exist for it
            raise _refuse(
                "unknown_code", "缴款码不存在。", status=404, txn=txn, notice=notice, merchant=merchant
            )
        existing = Payment.objects.filter(merchant_id=merchant, transaction_id=txn).first()
        if existing is not None:
            if existing.notice_id != notice.pk or existing.amount != amount or existing.paid_at != paid_at:
                raise DomainError(
                    "transaction_conflict", "同一支付流水号的通知内容与已记录的不一致。", status=409
                )
            return {"result": "duplicate", "transaction_id": txn, "status": notice.status}
        if notice.status == PaymentNotice.Status.CANCELLED:
            raise DomainError("notice_cancelled", "该缴款通知已撤销。", status=409)
        if timezone.localtime(paid_at).date() < notice.delivered_on:
            raise _refuse(
                "invalid_paid_at",
                "支付时间早于处罚决定书送达日期。",
                status=422,
                txn=txn,
                notice=notice,
                paid_at=paid_at,
            )
        if notice.status == PaymentNotice.Status.PAID:
            raise _refuse(
                "already_paid",
                f"缴款码 {notice.code} 的罚款已缴清，不能重复缴纳。",
                status=409,
                txn=txn,
                notice=notice,
                amount=amount,
            )
        # Under the notice's row lock (one writer at a time, also on SQLite's IMMEDIATE transactions):
        # the fine and the surcharge owed, with this payment counted, must not be exceeded (行政处罚法
        # Art. 72(一): surcharge capped at the fine).
        payments = [(timezone.localtime(p.paid_at).date(), p.amount) for p in notice.payments.all()]
        after = settle_notice(
            notice, [*payments, (timezone.localtime(paid_at).date(), amount)], timezone.localdate()
        )
        if after.paid_total > after.fine + after.surcharge:
            owed = notice_state(notice).outstanding
            raise _refuse(
                "overpayment",
                f"缴款金额 {amount} 元超过应缴金额 {owed} 元。",
                status=409,
                txn=txn,
                notice=notice,
                amount=amount,
            )
        try:
            with transaction.atomic():
                Payment.objects.create(
                    notice=notice,
                    merchant_id=merchant,
                    transaction_id=txn,
                    amount=amount,
                    paid_at=paid_at,
                    channel=channel,
                    body_sha256=digest,
                )
        except IntegrityError:  # the same notification, committed by a concurrent request just now
            return {"result": "duplicate", "transaction_id": txn, "status": notice.status}
        # The state the payments now settle the notice in: the system's ``received`` move (workflow.py),
        # recorded on the case as before (payment.received), with the notice's step.
        state = notice_state(notice)
        status = settled_status(state)
        became_paid = status == PaymentNotice.Status.PAID
        notice = workflow.transition(
            NOTICE_WORKFLOW,
            notice,
            "received",
            actor=None,
            target=status,
            fields=settled_fields(state),
            summary=f"收到{source}缴款 {amount} 元"
            f"（流水号 {txn}，{timezone.localtime(paid_at):%Y-%m-%d %H:%M}）"
            + (f"，已缴清（含加处罚款 {state.surcharge} 元）" if became_paid else ""),
            audit_subject=notice.case,
            audit_changes={"transaction_id": txn, "amount": amount, "body_sha256": digest, "status": status},
        )
        if became_paid:
            tell_paid_listeners(notice, actor=None)
    return {"result": "recorded", "transaction_id": txn, "status": notice.status}


FEISHUI_MERCHANT = (
    "feishui"  # Payment.merchant_id of the finance system's notifications (its bill numbers are unique)
)


def feishui_notification(*, body: bytes, signature: str) -> dict:
    """A payment notification of the finance bureau's 非税收入收缴系统 (docs/integrations/feishui.md):
    signed with the key agreed with it (``INTEGRATION_FEISHUI_SECRET``, HMAC-SHA256 of the raw body in
    ``X-Feishui-Signature``), for a code it issued, naming the 执收单位编码 the code was requested for.
    Idempotent by its bill number (票据号/交易流水号); then recorded like every payment
    (:func:`_payment_record`)."""
    from ..collectors import agency_code

    if settings.ZHIFA_PAYMENT_COLLECTOR != "feishui":
        # Not connected to a finance system here (the in-product collector): the endpoint does not exist
        # for this deployment.
        raise DomainError("not_enabled", "本平台未接入非税收入收缴系统。", status=404)
    secret = (settings.INTEGRATION_ENDPOINTS.get("feishui") or {}).get("secret", "")
    if not secret:
        # Connected but without the agreed key: a configuration fault the operator must see (the finance
        # system retries its notification).
        raise DomainError("not_configured", "未配置非税收入收缴系统的签名密钥。", status=503)
    n = _verified(body, signature, secret, txn_field="bill_no", amount_field="amount_yuan", paid="PAID")
    if isinstance(n, dict):
        return n
    data, bill, code, amount, paid_at = n
    agency = str(data.get("agency_code", "")).strip()

    def bound_to(notice: PaymentNotice) -> bool:
        # Only a code the finance system issued, for the collecting unit it was requested for.
        return notice.code_issuer == PaymentNotice.Issuer.FEISHUI and agency == agency_code(
            notice.organisation
        )

    return _payment_record(
        code=code,
        txn=bill,
        amount=amount,
        paid_at=paid_at,
        merchant=FEISHUI_MERCHANT,
        channel=str(data.get("channel", "非税收入收缴系统"))[:40],
        digest=hashlib.sha256(body).hexdigest(),
        bound_to=bound_to,
        source="非税收入系统通知的",
    )
