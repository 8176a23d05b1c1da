"""The amount the party is asked to pay now (issue 14 item 6): under approved instalments the instalment due, not
the whole fine (行政处罚法 Art. 66 ¶2), on the pay page and on the 分期(延期)缴纳罚款通知书."""

from datetime import timedelta
from decimal import Decimal

import pytest

from zhifa.documents.composer import document_text
from zhifa.documents.models import Document
from zhifa.payments.services import amount_due, payment_plan_apply, payment_plan_decide, simulated_payment

from .factories import delivered_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(named_world):
    return named_world


def test_art66_pay_page_and_notice_ask_for_the_instalment_due(world, client):
    notice = delivered_notice(world)
    half = notice.amount / 2
    first, second = notice.due_on + timedelta(days=30), notice.due_on + timedelta(days=60)
    plan = payment_plan_apply(actor=world.users["officer"], notice=notice, kind="instalment", reason="经营困难",
                              schedule=[(first, half), (second, half)])
    payment_plan_decide(actor=world.users["head"], plan=plan, approve=True, opinion="同意")
    due = amount_due(notice)
    assert due.amount == half and due.due_on == first and due.seq == 1
    page = client.get(notice.pay_path).content.decode()
    assert "本期（第1期）" in page and f"{half} 元" in page and f"模拟支付 {half} 元" in page
    text = document_text(Document.objects.get(kind="instalment_notice"))
    assert "系第1期" in text and notice.code in text
    # the simulator pays what is due: the first instalment; then the second is due
    simulated_payment(notice=notice)
    notice.refresh_from_db()
    due = amount_due(notice)
    assert due.amount == half and due.due_on == second and due.seq == 2 and notice.status == "partly_paid"
    assert Decimal(notice.paid_total) == half
