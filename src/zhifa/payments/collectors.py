"""Who issues the 缴款码 and reports payments: the payment adapter (罚缴分离, 行政处罚法 Art. 67). One interface, two
implementations, chosen by ``ZHIFA_PAYMENT_COLLECTOR``:

- ``local`` — the platform's own 18-digit codes and its payment simulator (the pay page's 模拟支付 signs a
  notification with the collection account's key and puts it through ``payment_callback``): development, the demo,
  a bureau whose finance system is not connected yet;
- ``feishui`` — the finance bureau's 非税收入收缴系统: the code is requested from it through the outbox
  (``integrations.outbox.request_now``, target ``feishui``) when the notice is issued, its signed payment
  notifications come to ``POST /api/v1/payments/feishui/notify`` (``services.feishui_notification``), and its
  daily reconciliation file is compared with the payments recorded (``integrations`` reconciliation). Format and
  mapping table: docs/integrations/feishui.md.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhifa.core.errors import DomainError

# A code issued by a finance system: letters and digits, as its format is provincial (ours are 18 digits with a
# Luhn check digit; theirs are kept as they come).
FINANCE_CODE = re.compile(r"[0-9A-Za-z]{6,20}")
FEISHUI = "feishui"


@dataclass(frozen=True)
class IssuedCode:
    code: str
    issuer: str  # PaymentNotice.Issuer


class LocalCollector:
    """The platform issues the code itself (no finance system connected)."""

    name = "local"

    def prepare(self, *, case, organisation, amount, due_on) -> None:
        """Nothing to ask anyone: the code is made in the act."""

    def issue_code(self, *, case, organisation, amount, due_on, attempt: int) -> IssuedCode:
        from .services.notices import new_payment_code

        return IssuedCode(new_payment_code(organisation), "local")


class FeishuiCollector:
    """The finance bureau's 非税收入收缴系统 issues the code; the request is an outbox message answered at once."""

    name = FEISHUI

    @staticmethod
    def key(case) -> str:
        return f"feishui:code_request:case:{case.pk}"

    def prepare(self, *, case, organisation, amount, due_on) -> None:
        """Ask the finance system for the code before the act's transaction opens (the HTTP call holds no
        transaction: claim → commit → call → record, ``integrations.outbox.request_now``); the act then issues the
        notice with the code already answered. Raises ``DomainError`` when the finance system does not issue it."""
        from zhifa.integrations.outbox import request_now

        request_now(target=FEISHUI, subject=case, kind="code_request", idempotency_key=self.key(case),
                    payload=code_request_payload(case=case, organisation=organisation, amount=amount, due_on=due_on),
                    organisation=organisation)

    def issue_code(self, *, case, organisation, amount, due_on, attempt: int) -> IssuedCode:
        from zhifa.integrations.models import Message
        from zhifa.integrations.outbox import in_transaction

        if attempt > 0:  # the finance system's code collided with a notice of ours: not ours to change
            raise DomainError("code_conflict", "非税收入系统返回的缴款码与已有缴款通知重复，请联系财政部门。", status=409)
        # The request, or its manual resend with a corrected body (the key with "#r<n>", outbox.message_resend).
        key = self.key(case)
        message = (Message.objects.filter(Q(idempotency_key=key) | Q(idempotency_key__startswith=f"{key}#r"),
                                          status=Message.Status.ACKNOWLEDGED).order_by("-pk").first())
        if message is None:
            if in_transaction():  # the act did not ask first (payment_code_prepare): no HTTP call inside it
                raise DomainError("code_not_requested", "尚未从非税收入收缴系统取得缴款码，请重试。", status=503)
            self.prepare(case=case, organisation=organisation, amount=amount, due_on=due_on)
            message = Message.objects.get(idempotency_key=self.key(case))
        code = message.receiver_reference.strip()
        if not FINANCE_CODE.fullmatch(code):
            raise DomainError("invalid_code", f"非税收入系统返回的缴款码格式不正确：{code[:30] or '（空）'}。", status=502)
        return IssuedCode(code, FEISHUI)


def collector():
    name = settings.ZHIFA_PAYMENT_COLLECTOR
    if name == FEISHUI:
        return FeishuiCollector()
    if name == "local":
        return LocalCollector()
    raise DomainError("unknown_collector", f"未知的缴款码出具方：{name}")


def agency_code(organisation) -> str:
    """执收单位编码: the merchant id of the collection account that collects the agency's fines (its own or the
    nearest above it), else the agency's own code (the mapping table names what the finance bureau assigned)."""
    from .services import collection_account

    account = collection_account(organisation)
    return account.merchant_id if account is not None else organisation.code


def code_request_payload(*, case, organisation, amount, due_on) -> dict:
    """The 缴款码 request (docs/integrations/feishui.md, 申请缴款码): money in yuan with two decimals."""
    party = case.party
    return {
        "format": "zhifa-feishui/1",
        "request_id": f"{organisation.code}-{case.number}",
        "agency_code": agency_code(organisation),
        "agency_name": organisation.name,
        "agency_credit_code": organisation.credit_code,
        "income_item": settings.FEISHUI_INCOME_ITEM,
        "decision_number": case.decision_number or "",
        "decided_on": case.decided_on.isoformat() if case.decided_on else None,
        "payer": {"name": party.name, "kind": party.kind, "id_type": party.id_type,
                  "id_number": party.credit_code or party.id_number},
        "amount_yuan": f"{amount:.2f}",
        "due_on": due_on.isoformat(),
    }


def simulate_finance_payment(notice, *, amount=None, paid_at=None, bill_no: str = "") -> dict:
    """The demo's pay button for a finance-issued code: the finance system's simulator (integrations simulator,
    ``/_sim/feishui/pay``) takes the payment and answers with the signed notification it sends, which is put
    through the same path as a real one (``services.feishui_notification``)."""
    from zhifa.integrations.outbox import endpoint

    from .services import amount_due, feishui_notification

    conf = endpoint(FEISHUI)
    if conf is None:
        raise DomainError("no_receiver", "未配置非税收入收缴系统接口地址。", status=503)
    due = amount_due(notice)
    if amount is None and due is None:
        raise DomainError("nothing_due", "该缴款通知无应缴金额（已缴清或已撤销）。", status=409)
    request = {"payment_code": notice.code, "amount_yuan": f"{amount if amount is not None else due.amount:.2f}",
               "paid_at": (paid_at or timezone.now()).isoformat(), "bill_no": bill_no or f"FS{secrets.token_hex(6).upper()}"}
    req = urllib.request.Request(conf[0] + "/_sim/feishui/pay", data=json.dumps(request).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=settings.INTEGRATION_TIMEOUT) as resp:
        answer = json.loads(resp.read())
    return feishui_notification(body=answer["body"].encode(), signature=answer["signature"])
