"""A delivered fine decision with its payment notice, and signed notifications as the payment system sends them."""

import json
from decimal import Decimal

from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.cases.tests.factories import decided
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import sign


def delivered_notice(world, *, amount=Decimal("2000")) -> PaymentNotice:
    case = decided(world, amount=amount)
    case = case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT,
                                      delivered_on=timezone.localdate())
    return PaymentNotice.objects.get(case=case)


def notification(notice, *, txn="T0001", amount="2000.00", paid_at=None, status="SUCCESS", merchant_id="") -> tuple[bytes, str]:
    data = {"transaction_id": txn, "payment_code": notice.code, "amount": str(amount),
            "paid_at": (paid_at or timezone.now()).isoformat(), "status": status}
    if merchant_id:
        data["merchant_id"] = merchant_id
    body = json.dumps(data).encode()
    return body, sign(body, merchant_id)
