"""The payment system's callback: signed (HMAC-SHA256 over the raw body), idempotent by transaction id, safe
against replays and reordering (行政处罚法 Art. 67 罚缴分离)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core.models import Event
from zhifa.payments.models import Payment, PaymentNotice
from zhifa.payments.services import payment_callback, sign

from .factories import delivered_notice, notification

URL = "/api/v1/payments/callback"


@pytest.fixture
def notice(world):
    return delivered_notice(world)


def post(client, body, signature):
    return client.post(URL, body, content_type="application/json", HTTP_X_SIGNATURE=signature)


def test_art67_notice_issued_on_delivery_due_in_15_days(world, notice):
    assert notice.amount == Decimal("2000.00") and len(notice.code) == 18
    assert notice.due_on >= notice.delivered_on + timedelta(days=15)
    assert notice.case.status == "execution"


def test_art67_full_payment_moves_the_case_to_executed(world, notice, client):
    body, sig = notification(notice)
    r = post(client, body, sig)
    assert r.status_code == 200 and r.json()["result"] == "recorded" and r.json()["status"] == "paid"
    notice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.PAID and notice.paid_on == timezone.localdate()
    case = Case.objects.get(pk=notice.case_id)
    assert case.status == "executed" and case.paid_on == timezone.localdate()


def test_the_same_notification_twice_records_one_payment(world, notice, client):
    body, sig = notification(notice)
    assert post(client, body, sig).json()["result"] == "recorded"
    events = Event.objects.count()
    r = post(client, body, sig)
    assert r.status_code == 200 and r.json()["result"] == "duplicate"
    assert Payment.objects.count() == 1 and Event.objects.count() == events


def test_bad_signature_is_refused_and_changes_nothing(world, notice, client):
    body, sig = notification(notice)
    events = Event.objects.count()
    assert post(client, body, "0" * 64).status_code == 401
    assert post(client, body, "").status_code == 401
    tampered = body.replace(b"2000.00", b"2.00")
    assert post(client, tampered, sig).status_code == 401
    assert not Payment.objects.exists() and Event.objects.count() == events


def test_reused_transaction_id_with_other_content_is_a_conflict(world, notice, client):
    body, sig = notification(notice, amount="500.00")
    post(client, body, sig)
    body2, sig2 = notification(notice, amount="600.00")
    assert post(client, body2, sig2).status_code == 409
    assert Payment.objects.get().amount == Decimal("500.00")


def test_unknown_code_and_malformed_body(world, notice, client):
    body, _ = notification(notice)
    other = body.replace(notice.code.encode(), b"000000000000000000")
    from zhifa.payments.services import sign

    assert post(client, other, sign(other)).status_code == 404
    assert post(client, b"not json", sign(b"not json")).status_code == 422


def test_non_success_notifications_are_ignored(world, notice, client):
    body, sig = notification(notice, status="PENDING")
    assert post(client, body, sig).json()["result"] == "ignored"
    assert not Payment.objects.exists()


def test_reordered_partial_payments_settle_the_same(world, notice):
    now = timezone.now()
    # earlier the same day: a payment before the day of delivery is refused (issue 17)
    earlier = max(now - timedelta(hours=3), timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0))
    second = notification(notice, txn="T2", amount="1500.00", paid_at=now)
    first = notification(notice, txn="T1", amount="500.00", paid_at=earlier)
    assert payment_callback(body=second[0], signature=second[1])["status"] == "partly_paid"
    assert payment_callback(body=first[0], signature=first[1])["status"] == "paid"
    notice.refresh_from_db()
    assert notice.paid_on == timezone.localtime(now).date() and notice.paid_total == Decimal("2000.00")


def test_art72_late_payment_needs_the_surcharge(world, notice):
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        late = notice.due_on + timedelta(days=2)
        body, sig = notification(notice, txn="L1", amount="2000.00", paid_at=timezone.make_aware(timezone.datetime.combine(late, timezone.datetime.min.time().replace(hour=10))))
        assert payment_callback(body=body, signature=sig)["status"] == "partly_paid"
        notice.refresh_from_db()
        assert notice.surcharge == Decimal("120.00") and Case.objects.get(pk=notice.case_id).status == "execution"
        body, sig = notification(notice, txn="L2", amount="120.00")
        assert payment_callback(body=body, signature=sig)["status"] == "paid"
        assert Case.objects.get(pk=notice.case_id).status == "executed"


def test_callback_needs_no_session(world, notice, client):
    body, sig = notification(notice)
    assert client.post(URL, body, content_type="application/json", HTTP_X_SIGNATURE=sig).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the shipped catalogue after a flush
def test_the_same_notification_concurrently_records_one_payment(world):
    import threading

    from django.db import connection

    notice = delivered_notice(world)
    body, sig = notification(notice)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(payment_callback(body=body, signature=sig)["result"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results) == ["duplicate", "recorded"]
    assert Payment.objects.count() == 1
    assert Case.objects.get(pk=notice.case_id).status == "executed"


def test_art51_simplified_fine_gets_a_notice_and_is_executed_on_payment(world):
    from zhifa.cases import services as case_services
    from zhifa.cases.tests.factories import PENALTY, VIOLATED
    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.payments.services import simulated_payment

    case = case_services.case_simplified(
        actor=world.users["officer"], organisation=world.brigade_a, party=PersonPartyFactory(organisation=world.brigade_a),
        officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=timezone.now(), place="G207国道",
        facts="驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测", penalty_kind=Case.PenaltyKind.FINE, amount=Decimal("200"),
        legal_basis=PENALTY, violated_provision=VIOLATED, reasoning="当场处罚。")
    notice = PaymentNotice.objects.get(case=case)
    assert notice.amount == Decimal("200.00") and notice.delivered_on == timezone.localdate()
    assert simulated_payment(notice=notice)["status"] == "paid"
    assert Case.objects.get(pk=case.pk).status == "executed"


# ---------------------------------------------------------------- issue 17: money that cannot be bent

KEY_A, KEY_B = "a" * 40, "b" * 40


@pytest.fixture
def accounts(world, settings):
    """南召 (county A) and 方城 (county B) each collect with their own merchant id and key."""
    from zhifa.payments.models import CollectionAccount

    settings.PAYMENT_MERCHANT_KEYS = {"M411321": KEY_A, "M411322": KEY_B}
    CollectionAccount.objects.create(organisation=world.county_a, merchant_id="M411321")
    CollectionAccount.objects.create(organisation=world.county_b, merchant_id="M411322")


def _nothing_recorded(notice, events):
    notice.refresh_from_db()
    return not Payment.objects.exists() and Event.objects.count() == events and notice.status == PaymentNotice.Status.UNPAID


def test_another_agencys_merchant_cannot_pay_the_notice(world, notice, client, accounts):
    """Regression (issue 17): one shared key accepted any agency's notice."""
    events = Event.objects.count()
    foreign = notification(notice, merchant_id="M411322")  # 方城's merchant, correctly signed with 方城's key
    shared = notification(notice)                           # the shared key, no merchant
    for body, sig in (foreign, shared):
        r = post(client, body, sig)
        assert r.status_code == 404 and r.json()["code"] == "unknown_code"
    assert _nothing_recorded(notice, events)
    forged = notification(notice, merchant_id="M411321")[0]  # 南召's merchant id, signed with 方城's key
    assert post(client, forged, sign(forged, "M411322")).status_code == 401
    own = notification(notice, merchant_id="M411321")       # the brigade's notice is paid to its county's account
    assert post(client, *own).json()["status"] == "paid"


def test_shared_key_is_refused_where_the_fallback_is_off(world, notice, client, settings):
    settings.PAYMENT_SHARED_KEY_FALLBACK = False
    events = Event.objects.count()
    assert post(client, *notification(notice)).status_code == 404
    assert _nothing_recorded(notice, events)


def test_overpayment_is_refused_and_changes_nothing(world, notice, client):
    """Regression (issue 17): 999,999 was recorded on a 2,000 fine."""
    events = Event.objects.count()
    r = post(client, *notification(notice, amount="999999.00"))
    assert r.status_code == 409 and r.json()["code"] == "overpayment" and "2000.00" in r.json()["message"]
    assert _nothing_recorded(notice, events)
    # a part, then more than the rest
    post(client, *notification(notice, txn="P1", amount="1500.00"))
    r = post(client, *notification(notice, txn="P2", amount="600.00"))
    assert r.status_code == 409 and r.json()["code"] == "overpayment"
    assert list(Payment.objects.values_list("transaction_id", flat=True)) == ["P1"]


def test_second_payment_of_a_paid_notice_is_refused(world, notice, client):
    """Regression (issue 17): paying twice (two transaction ids) was recorded twice."""
    assert post(client, *notification(notice, txn="D1")).json()["status"] == "paid"
    events = Event.objects.count()
    r = post(client, *notification(notice, txn="D2"))
    assert r.status_code == 409 and r.json()["code"] == "already_paid" and "已缴清" in r.json()["message"]
    assert Payment.objects.count() == 1 and Event.objects.count() == events


def test_paid_at_must_lie_between_delivery_and_now(world, notice, client):
    """Regression (issue 17): paid_at in 2099 left the notice partly paid; paid_at before delivery was accepted."""
    events = Event.objects.count()
    future = timezone.now().replace(year=2099)
    before_delivery = timezone.now() - timedelta(days=2)
    for paid_at in (future, before_delivery, timezone.now() + timedelta(minutes=30)):
        r = post(client, *notification(notice, paid_at=paid_at))
        assert r.status_code == 422 and r.json()["code"] == "invalid_paid_at", paid_at
    assert _nothing_recorded(notice, events)
    # a payment system clock a minute ahead is within the allowed skew
    assert post(client, *notification(notice, paid_at=timezone.now() + timedelta(minutes=1))).json()["status"] == "paid"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the shipped catalogue after a flush
@pytest.mark.parametrize("identical", [True, False], ids=["same-transaction", "ten-transactions"])
def test_ten_parallel_callbacks_record_exactly_one_payment(world, identical):
    """Regression (issue 17): ten parallel payments of a 200 fine were all recorded. The same notification ten
    times, and ten different transactions each paying the whole fine: one payment, the rest duplicate/refused."""
    import threading

    from django.db import connection

    from zhifa.core.errors import DomainError

    notice = delivered_notice(world, amount=Decimal("200"))
    paid_at = timezone.now()
    bodies = [notification(notice, txn="PAR" if identical else f"PAR{i}", amount="200.00", paid_at=paid_at) for i in range(10)]
    results, errors = [], []
    barrier = threading.Barrier(10)

    def worker(body, sig):
        try:
            barrier.wait()
            results.append(payment_callback(body=body, signature=sig)["result"])
        except DomainError as exc:
            results.append(exc.code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=b) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results.count("recorded") == 1 and set(results) - {"recorded"} == ({"duplicate"} if identical else {"already_paid"})
    assert Payment.objects.count() == 1
    notice.refresh_from_db()
    assert notice.paid_total == Decimal("200.00") and Case.objects.get(pk=notice.case_id).status == "executed"


def test_an_unsigned_body_is_refused_before_it_is_trusted(world, notice, client):
    """The merchant id is read from the body before the signature is checked: a body that is no JSON, or is
    nested to exhaust the parser, is still only a bad signature (401), never a server error."""
    for body in (b"\xff\xfe not json", b"[" * 100_000 + b"]" * 100_000, b'{"merchant_id": {"x": 1}}'):
        r = post(client, body, "0" * 64)
        assert r.status_code == 401 and r.json()["code"] == "bad_signature"
    assert not Payment.objects.exists()


def test_transaction_ids_are_unique_per_merchant_not_across_merchants(world, notice, client, accounts):
    """Regression: the transaction id was looked up across all merchants, so 方城's merchant, using an id first,
    got 南召's genuine callback with the same id refused with 409. Each merchant's retry is still a duplicate."""
    other = delivered_notice(world)
    PaymentNotice.objects.filter(pk=other.pk).update(organisation=world.brigade_b)  # a notice of 方城
    b = notification(other, txn="T-SAME", merchant_id="M411322")
    a = notification(notice, txn="T-SAME", merchant_id="M411321")
    assert post(client, *b).json()["result"] == "recorded"
    r = post(client, *a)
    assert r.status_code == 200 and r.json()["result"] == "recorded" and r.json()["status"] == "paid"
    events = Event.objects.count()
    assert post(client, *a).json()["result"] == "duplicate" and post(client, *b).json()["result"] == "duplicate"
    assert sorted(Payment.objects.values_list("merchant_id", "transaction_id")) == [("M411321", "T-SAME"), ("M411322", "T-SAME")]
    assert Event.objects.count() == events
    # the same merchant's id with other content is still a conflict, and changes nothing
    r = post(client, *notification(notice, txn="T-SAME", amount="1.00", merchant_id="M411321"))
    assert r.status_code == 409 and r.json()["code"] == "transaction_conflict" and Payment.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row lock strengths are PostgreSQL's")
def test_the_callback_locks_the_notice_alone_and_not_against_key_checks(world, notice, client):
    """The callback serialises on its notice's row, FOR NO KEY UPDATE OF that row only: it locked the joined unit
    too, FOR UPDATE, so a paper's transaction committing rows that refer to the unit (a key check) waited for the
    callback while the callback waited for the record's head that paper held — `zhifa demo-data` deadlocked on
    PostgreSQL (2026-12-06)."""
    body, sig = notification(notice)
    with CaptureQueriesContext(connection) as queries:
        assert post(client, body, sig).json()["result"] == "recorded"
    locks = [q["sql"] for q in queries.captured_queries if "FOR " in q["sql"] and "payments_paymentnotice" in q["sql"]]
    assert locks and all(sql.endswith('FOR NO KEY UPDATE OF "payments_paymentnotice"') for sql in locks), locks
