"""非税收入 payment adapter against the finance system's simulator (issue 20): the 缴款码 is the finance system's
(罚缴分离), requested through the outbox when the notice is issued; its signed payment notification executes the
case once; a forged one changes nothing; the daily reconciliation compares its file with what was recorded."""

import json
import re
import urllib.request
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.cases.tests.factories import decided
from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.integrations import services
from zhifa.integrations.models import Message
from zhifa.integrations.simulator import Simulator
from zhifa.payments.models import Payment, PaymentNotice
from zhifa.payments.services import payment_callback, sign
from zhifa.payments.tests.factories import delivered_notice

SECRET = "feishui-test-key-0123456789abcdef0123"
URL = "/api/v1/payments/feishui/notify"


@pytest.fixture
def finance(fast_outbox):
    """The finance system's simulator; notices take their code from it."""
    fast_outbox.ZHIFA_PAYMENT_COLLECTOR = "feishui"
    fast_outbox.INTEGRATION_ENDPOINTS = {"feishui": {"url": "", "secret": SECRET}}
    sim = Simulator(port=0, timeout_seconds=1.5, secrets={"feishui": SECRET}).start()
    fast_outbox.INTEGRATION_SIMULATOR_URL = sim.url
    yield sim
    sim.stop()


def pay_at_finance(sim, notice, **extra) -> tuple[bytes, str]:
    """A payer pays the code at the finance system: the notification it sends (body, signature)."""
    # the local time (+08:00): the daily file is cut by the local day
    data = {"payment_code": notice.code, "amount_yuan": str(notice.amount), "paid_at": timezone.localtime().isoformat(), **extra}
    req = urllib.request.Request(sim.url + "/_sim/feishui/pay", data=json.dumps(data).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    answer = json.loads(urllib.request.urlopen(req, timeout=5).read())
    return answer["body"].encode(), answer["signature"]


def notify(client, body, signature):
    return client.post(URL, body, content_type="application/json", HTTP_X_FEISHUI_SIGNATURE=signature)


@pytest.mark.django_db
def test_code_is_the_finance_systems_and_its_notification_executes_the_case(world, finance, client):
    notice = delivered_notice(world)
    assert notice.code_issuer == PaymentNotice.Issuer.FEISHUI
    assert notice.code in finance.state.finance.codes  # issued by the finance system, not by us
    request = finance.accepted("feishui")[0]
    assert request["kind"] == "code_request" and request["payload"]["amount_yuan"] == "2000.00"
    assert request["payload"]["decision_number"] == notice.case.decision_number
    m = Message.objects.get(target="feishui")
    assert m.status == Message.Status.ACKNOWLEDGED and m.receiver_reference == notice.code and m.attempt_set.count() == 1
    # the paper and the public page carry the finance code
    assert client.get(notice.pay_path).status_code == 200

    r = notify(client, *pay_at_finance(finance, notice))
    assert r.status_code == 200 and r.json()["result"] == "recorded" and r.json()["status"] == "paid"
    assert Case.objects.get(pk=notice.case_id).status == "executed"
    payment = Payment.objects.get()
    assert payment.merchant_id == "feishui" and payment.amount == Decimal("2000.00")


@pytest.mark.django_db
def test_duplicate_notification_is_recorded_once(world, finance, client):
    notice = delivered_notice(world)
    body, sig = pay_at_finance(finance, notice)
    assert notify(client, body, sig).json()["result"] == "recorded"
    events = Event.objects.count()
    r = notify(client, body, sig)
    assert r.status_code == 200 and r.json()["result"] == "duplicate"
    assert Payment.objects.count() == 1 and Event.objects.count() == events


@pytest.mark.django_db
def test_wrong_signature_is_refused_and_nothing_changes(world, finance, client):
    notice = delivered_notice(world)
    events = Event.objects.count()
    forged_body, forged_sig = pay_at_finance(finance, notice, sign_with="not-the-agreed-key")
    assert notify(client, forged_body, forged_sig).status_code == 401
    body, sig = pay_at_finance(finance, notice)
    assert notify(client, body.replace(b"2000.00", b"20.00"), sig).status_code == 401  # tampered
    assert notify(client, body, "").status_code == 401
    # a finance code cannot be paid through the platform's own payment callback either
    own = json.dumps({"transaction_id": "T1", "payment_code": notice.code, "amount": "2000.00",
                      "paid_at": timezone.now().isoformat(), "status": "SUCCESS"}).encode()
    with pytest.raises(DomainError) as exc:
        payment_callback(body=own, signature=sign(own))
    assert exc.value.code == "unknown_code"
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.UNPAID and Payment.objects.count() == 0
    assert Case.objects.get(pk=notice.case_id).status == "execution" and Event.objects.count() == events


@pytest.mark.django_db
def test_finance_system_down_at_delivery_changes_nothing(world, finance):
    finance.script({"target": "feishui", "mode": "error"})
    case = decided(world)
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with pytest.raises(DomainError) as exc:
        from zhifa.cases import services as case_services

        case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT,
                                   delivered_on=timezone.localdate())
    assert exc.value.code == "receiver_unavailable" and "非税收入收缴系统" in exc.value.message
    case.refresh_from_db()
    assert case.status == "decided" and not PaymentNotice.objects.exists()
    # the request was made before the act's transaction: it stays, with its failed try, for the console and retries
    m = Message.objects.get(target="feishui")
    assert m.status == Message.Status.PENDING and [a.outcome for a in m.attempt_set.all()] == ["error"]
    assert set(Event.objects.filter(pk__gt=last).values_list("action", flat=True)) <= {"outbox.enqueue"}
    # back up: the same act gets its code, once
    finance.script()
    from zhifa.cases import services as case_services

    case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT,
                               delivered_on=timezone.localdate())
    assert PaymentNotice.objects.get(case=case).code in finance.state.finance.codes
    assert len(finance.state.finance.codes) == 1 and Message.objects.filter(target="feishui").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_code_request_holds_no_transaction_open_during_the_call(world, finance, monkeypatch):
    """claim → commit → call → record: the HTTP call runs with no transaction open (the fake transport checks),
    and the act's own transaction opens only after the answer."""
    from django.db import connection

    from zhifa.cases import services as case_services
    from zhifa.integrations import client as outbox_client

    real_post, seen = outbox_client.post, []

    def transport(url, payload, **kw):
        seen.append((url.rsplit("/", 1)[-1], connection.in_atomic_block))
        assert not connection.in_atomic_block, "HTTP call inside a transaction"
        if url.endswith("/feishui/code-request"):
            # the message is committed and claimed before the call: another connection would see it 发送中
            assert Message.objects.get(target="feishui").status == Message.Status.SENDING
        return real_post(url, payload, **kw)

    monkeypatch.setattr(outbox_client, "post", transport)
    case = decided(world)
    case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT,
                               delivered_on=timezone.localdate())
    assert ("code-request", False) in seen and not any(open_ for _, open_ in seen)
    notice = PaymentNotice.objects.get(case=case)
    m = Message.objects.get(target="feishui")
    assert m.status == Message.Status.ACKNOWLEDGED and m.receiver_reference == notice.code
    assert m.attempt_set.count() == 1
    # called inside a transaction, it refuses instead of holding it open
    from django.db import transaction

    from zhifa.integrations.outbox import request_now

    with pytest.raises(RuntimeError), transaction.atomic():
        request_now(target="feishui", subject=case, kind="code_request", payload={}, idempotency_key="x")


@pytest.mark.django_db
def test_on_the_spot_fine_gets_the_finance_code_after_the_commit(world, finance, django_capture_on_commit_callbacks):
    """简易程序: the case is created in the act, so the code is asked for after its commit; the notice follows the
    answer — at once, or when a retry is answered after the finance system was down."""
    from zhifa.cases import services as case_services
    from zhifa.cases.tests.factories import PENALTY, VIOLATED
    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.integrations import outbox

    def on_the_spot():
        return case_services.case_simplified(
            actor=world.users["officer"], organisation=world.brigade_a, party=PersonPartyFactory(organisation=world.brigade_a),
            officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=timezone.now(),
            place="G207国道", facts="驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测",
            penalty_kind=Case.PenaltyKind.FINE, amount=Decimal("200"), legal_basis=PENALTY, violated_provision=VIOLATED,
            reasoning="当场处罚。")

    with django_capture_on_commit_callbacks(execute=True):
        case = on_the_spot()
    notice = PaymentNotice.objects.get(case=case)
    assert notice.code in finance.state.finance.codes and notice.code_issuer == PaymentNotice.Issuer.FEISHUI

    finance.script({"target": "feishui", "mode": "error"})
    with django_capture_on_commit_callbacks(execute=True):
        later = on_the_spot()  # the finance system is down: the decision stands, the notice waits for the code
    assert later.status == "execution" and not PaymentNotice.objects.filter(case=later).exists()
    assert Event.objects.filter(action="payment.code_pending").exists()
    finance.script()
    Message.objects.filter(target="feishui", subject_id=str(later.pk)).update(next_attempt_at=timezone.now())
    outbox.drain_all(target="feishui")  # the retry is answered: the notice is issued then, once
    assert PaymentNotice.objects.get(case=later).code in finance.state.finance.codes


@pytest.mark.django_db
def test_reconciliation_lists_the_differences_with_the_daily_file(world, finance, client):
    paid, lost = delivered_notice(world), delivered_notice(world, amount=Decimal("500"))
    assert notify(client, *pay_at_finance(finance, paid)).json()["result"] == "recorded"
    pay_at_finance(finance, lost)  # paid at the finance system; its notification never arrived
    row = services.reconcile(day=timezone.localdate(), targets=["feishui"])[0]
    assert row.expected == 2 and row.acknowledged == 2  # both codes requested and acknowledged
    problems = [d for d in row.differences if d["kind"] == "payment"]
    assert len(problems) == 1 and lost.code in problems[0]["subject"] and "未收到缴款通知" in problems[0]["problem"]
    assert problems[0]["organisation"] == lost.organisation_id
    assert paid.code not in str(row.differences)
    # a forged daily file is not used
    finance.state.secrets["feishui"] = "another-key"
    row = services.reconcile(day=timezone.localdate(), targets=["feishui"])[0]
    assert [d["problem"] for d in row.differences] == ["对账文件签名校验失败，未采用"]


def test_notification_where_no_finance_system_is_connected_is_not_found_and_changes_nothing(world, client, settings):
    """With the in-product collector (no 非税 key configured) the endpoint does not exist for this deployment."""
    settings.ZHIFA_PAYMENT_COLLECTOR = "local"
    before = (Payment.objects.count(), Event.objects.count())
    r = notify(client, b'{"bill_no": "X1"}', "00")
    assert r.status_code == 404 and r.json()["code"] == "not_enabled"
    # connected to the finance system but without its key: a configuration fault, not "no such endpoint"
    settings.ZHIFA_PAYMENT_COLLECTOR = "feishui"
    settings.INTEGRATION_ENDPOINTS = {k: v for k, v in settings.INTEGRATION_ENDPOINTS.items() if k != "feishui"}
    r = notify(client, b'{"bill_no": "X1"}', "00")
    assert r.status_code == 503 and r.json()["code"] == "not_configured"
    assert (Payment.objects.count(), Event.objects.count()) == before


def _on_the_spot(world):
    """A 当场处罚 of 200 yuan (简易程序): with the finance system connected its 缴款码 is asked for after the commit."""
    from zhifa.cases import services as case_services
    from zhifa.cases.tests.factories import PENALTY, VIOLATED
    from zhifa.core.tests.factories import PersonPartyFactory

    return case_services.case_simplified(
        actor=world.users["officer"], organisation=world.brigade_a,
        party=PersonPartyFactory(organisation=world.brigade_a),
        officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=timezone.now(),
        place="G207国道", facts="驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测",
        penalty_kind=Case.PenaltyKind.FINE, amount=Decimal("200"), legal_basis=PENALTY, violated_provision=VIOLATED,
        reasoning="当场处罚。")


@pytest.mark.django_db
def test_a_code_that_cannot_be_used_is_recorded_and_holds_up_nothing(world, finance,
                                                                     django_capture_on_commit_callbacks):
    """Regression (review of the integrations, item 1): the finance adapter's follow-up (issuing the notice) ran in
    the batch's recording transaction; a code it could not use (DomainError ``invalid_code``) rolled back the whole
    batch — every acknowledgement and try of up to 200 messages already posted — and the drain raised, so those
    messages were posted again on every drain and the oldest held up every target. Now the follow-up fails alone:
    recorded on the case with its reason, the message stays acknowledged, the others are recorded."""
    from zhifa.integrations import outbox
    from zhifa.payments.collectors import FeishuiCollector

    finance.script({"target": "feishui", "mode": "error"})  # down: both codes wait in the outbox
    with django_capture_on_commit_callbacks(execute=True):
        poisoned = _on_the_spot(world)
    with django_capture_on_commit_callbacks(execute=True):
        good = _on_the_spot(world)
    other = decided(world)  # its supervision and 互联网+监管 messages are due in the same drain
    finance.script()
    # the finance system answers the first request with a code that cannot be used
    finance.state.keys[FeishuiCollector.key(poisoned)] = "缴款码?"
    Message.objects.filter(target="feishui").update(next_attempt_at=timezone.now())
    outbox.drain_all()

    for case in (poisoned, good):
        m = Message.objects.get(target="feishui", subject_id=str(case.pk))
        assert m.status == Message.Status.ACKNOWLEDGED
        assert [a.outcome for a in m.attempt_set.order_by("pk")] == ["error", "duplicate" if case is poisoned else "accepted"]
    assert PaymentNotice.objects.get(case=good).code in finance.state.finance.codes
    assert not PaymentNotice.objects.filter(case=poisoned).exists()
    others = Message.objects.filter(subject_id=str(other.pk), subject_type="cases.case")
    assert others.count() >= 2 and set(others.values_list("status", flat=True)) == {Message.Status.ACKNOWLEDGED}
    failed = Event.objects.get(action="outbox.hook_failed")
    assert failed.subject_type == "cases.case" and failed.subject_id == str(poisoned.pk)
    assert "缴款码（缴款码?）无法使用，未开具缴款通知书" in failed.summary and "格式不正确" in failed.summary
    # nothing is posted again
    requests = finance.state.requests
    assert outbox.drain_all() == {} and finance.state.requests == requests


def _code_three_days_late(world, finance, capture):
    """An on-the-spot fine delivered on 2 November while the finance system is down; the retry of its code
    request is answered on 5 November."""
    import time_machine

    from zhifa.integrations import outbox

    local = timezone.get_current_timezone()
    finance.script({"target": "feishui", "mode": "error"})
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=local), tick=True):
        with capture(execute=True):
            case = _on_the_spot(world)
        assert case.delivered_on == date(2026, 11, 2) and not PaymentNotice.objects.filter(case=case).exists()
    finance.script()
    with time_machine.travel(datetime(2026, 11, 5, 9, 30, tzinfo=local), tick=True):
        Message.objects.filter(target="feishui").update(next_attempt_at=timezone.now())
        with capture(execute=True):
            outbox.drain_all(target="feishui")
    return case


@pytest.mark.django_db
def test_a_code_arriving_after_delivery_starts_the_payment_period_that_day(named_world, finance, settings, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    """行政处罚法 Art. 67 and 72 (review of the integrations, item 2): an on-the-spot fine is delivered on 2 November,
    the finance system is down and its 缴款码 arrives on 5 November. The party could not pay before it had the code:
    the 15 days run from the day the notice with its code is issued (due 20 November), not from the delivery (it
    would have been 17 November, the notice issued with 3 of its 15 days gone). The notice and its paper say so."""

    from zhifa.documents.composer import document_text
    from zhifa.documents.models import Document

    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _code_three_days_late(named_world, finance, django_capture_on_commit_callbacks)
    notice = PaymentNotice.objects.get(case=case)
    assert notice.delivered_on == date(2026, 11, 2)  # the decision's delivery (the remedy periods run from it)
    assert notice.period_from == date(2026, 11, 5)
    assert notice.due_on == date(2026, 11, 20)  # 15 days after the code arrived, not 2026-11-17
    issued = Event.objects.get(action="payment.notice_issue", subject_id=str(case.pk))
    assert "缴款期限 2026-11-20" in issued.summary and "自2026-11-05取得缴款码、送达缴款通知书之日起计算" in issued.summary
    paper = Document.objects.get(kind="payment_notice", subject_id=str(case.pk))
    text = document_text(paper)
    assert "2026年11月20日前" in text
    assert "缴款期限自本机关于2026年11月5日取得缴款码、送达本通知书之日起计算" in text


@pytest.mark.django_db
def test_a_late_code_moves_the_case_clock_and_the_due_date_sent_to_finance(named_world, finance, client_for,
                                                                          django_capture_on_commit_callbacks):
    """Regression (issue 20 leftovers, item 1): the notice of a 缴款码 that arrived three days after the on-the-spot
    delivery ran from the code's arrival (due 20 November), but the case page's 缴纳罚款期限, the at-risk list's
    nearest deadline (Case.clock_due_on) and the overdue flags still counted from the delivery (17 November), and the
    finance system was told 17 November in the request its retry sent. All four now use the one period start."""
    import time_machine

    from zhifa.cases import clocks, selectors
    from zhifa.cases.tasks import flag_overdue

    local = timezone.get_current_timezone()
    case = _code_three_days_late(named_world, finance, django_capture_on_commit_callbacks)
    notice = PaymentNotice.objects.get(case=case)
    assert notice.due_on == date(2026, 11, 20)
    # what the finance system was told, and what the console shows was sent
    assert [r["payload"]["due_on"] for r in finance.accepted("feishui")] == ["2026-11-20"]
    assert Message.objects.get(target="feishui").payload["due_on"] == "2026-11-20"
    # the case page's clock and the at-risk list's nearest deadline
    case = Case.objects.get(pk=case.pk)
    payment = next(c for c in clocks.clocks(case) if c.key == "payment")
    assert payment.deadline.date == date(2026, 11, 20)
    assert case.clock_due_on == date(2026, 11, 20)
    with time_machine.travel(datetime(2026, 11, 18, 9, 0, tzinfo=local), tick=True):
        [(_, listed, worst)] = selectors.with_clocks([case])
        assert next(c for c in listed if c.key == "payment").deadline.date == date(2026, 11, 20)
        assert worst == "amber"  # two days left, not three days overdue
        assert flag_overdue() == 0
        page = client_for("officer").get(f"/cases/{case.pk}/")
        assert page.status_code == 200
        row = re.search(r"缴纳罚款期限.*?</tr>", page.content.decode(), re.S).group(0)
        assert "2026-11-20" in row and "即将到期" in row and "2026-11-17" not in row
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=local), tick=True):
        assert flag_overdue() == 1  # overdue the day after the notice's own due date


@pytest.mark.django_db
def test_a_refused_late_code_request_is_resent_with_the_due_date_of_the_resend_day(named_world, finance, settings,
                                                                                 django_capture_on_commit_callbacks):
    """A request the finance system refused for an on-the-spot case (no notice yet) could not be resent: its
    rebuild read the notice ("报送的原始记录已不存在"). It is rebuilt from the case, its due date counted from the day
    it goes, and the notice issued from the resent request's code."""
    import time_machine

    from zhifa.integrations import outbox

    admin = named_world.users["admin"]
    local = timezone.get_current_timezone()
    finance.script({"target": "feishui", "mode": "reject", "reason": "执收单位编码未登记"})
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=local), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            case = _on_the_spot(named_world)
    message = Message.objects.get(target="feishui")
    assert message.status == Message.Status.REJECTED and message.payload["due_on"] == "2026-11-17"
    finance.script()
    with time_machine.travel(datetime(2026, 11, 9, 9, 30, tzinfo=local), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.message_resend(actor=admin, message=message)
        outbox.drain_all(target="feishui")
    message.refresh_from_db()
    assert message.status == Message.Status.ACKNOWLEDGED and message.payload["due_on"] == "2026-11-24"
    notice = PaymentNotice.objects.get(case=case)
    assert notice.period_from == date(2026, 11, 9) and notice.due_on == date(2026, 11, 24)
    assert notice.code == message.receiver_reference
    assert Case.objects.get(pk=case.pk).clock_due_on == date(2026, 11, 24)


@pytest.mark.django_db
def test_a_code_there_at_delivery_leaves_the_period_from_the_delivery(world, finance):
    """The ordinary delivery asks for the code first: the period runs from the delivery, as before."""
    notice = delivered_notice(world)
    assert notice.period_from is None and notice.due_on > notice.delivered_on
