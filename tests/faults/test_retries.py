"""Fault injection across processes: the payment system's callback and a station's push reach the real web server
(two gunicorn worker processes) twice, concurrently, out of order and across a server kill. In-process variants
live with their apps (payments/tests/test_callback.py, overload/tests/test_api.py); these add separate processes
and a killed server."""

import hashlib
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.core import audit
from zhifa.core.models import Event
from zhifa.overload import ingest
from zhifa.overload.api import signature
from zhifa.overload.models import IngestBatch
from zhifa.overload.tests.conftest import at, record
from zhifa.overload.tests.test_tasks import state
from zhifa.payments.models import Payment, PaymentNotice
from zhifa.payments.tests.factories import delivered_notice, notification

CALLBACK = "/api/v1/payments/callback"


def together(*calls):
    """Run the calls at the same moment from separate threads; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        answers[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def deliver(server, body_sig):
    body, sig = body_sig
    return server.send(CALLBACK, body, {"X-Signature": sig})


@pytest.mark.django_db(transaction=True)
def test_payment_callback_twice_concurrently_reordered_and_stale_records_one_payment(world, shipped_data, server):
    notice = delivered_notice(world)
    paid = notification(notice)
    stale = notification(notice, status="PENDING", paid_at=timezone.now() - timedelta(minutes=5))
    # The same signed notification delivered concurrently to the two server processes.
    answers = together(lambda: deliver(server, paid), lambda: deliver(server, paid))
    assert sorted(a[1]["result"] for a in answers) == ["duplicate", "recorded"], answers
    # A stale retry (the earlier "pending" state of the same transaction) arrives after "paid": nothing changes.
    events = Event.objects.count()
    assert deliver(server, stale)[1]["result"] == "ignored"
    assert deliver(server, paid)[1]["result"] == "duplicate"
    assert Event.objects.count() == events
    notice.refresh_from_db()
    assert Payment.objects.filter(notice=notice).count() == 1 and notice.paid_total == Decimal("2000.00")
    assert notice.status == PaymentNotice.Status.PAID and Case.objects.get(pk=notice.case_id).status == "executed"
    assert Event.objects.filter(action__startswith="payment.", subject_id=str(notice.pk)).count() <= 2
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_partial_payments_reordered_and_retried_across_a_server_kill(world, shipped_data, server):
    notice = delivered_notice(world)
    now = timezone.now()
    later = notification(notice, txn="T2", amount="1500.00", paid_at=now)
    # earlier the same day: a payment before the day of delivery is refused (issue 17)
    earlier = notification(notice, txn="T1", amount="500.00",
                           paid_at=max(now - timedelta(hours=3), timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)))
    assert deliver(server, later)[1]["result"] == "recorded"  # the later payment's notice arrives first
    server.restart()  # SIGKILL between the two; the payment system retries what it has not seen answered
    first, again = together(lambda: deliver(server, earlier), lambda: deliver(server, earlier))
    assert sorted([first[1]["result"], again[1]["result"]]) == ["duplicate", "recorded"]
    assert deliver(server, later)[1]["result"] == "duplicate"
    notice.refresh_from_db()
    assert sorted(Payment.objects.filter(notice=notice).values_list("transaction_id", flat=True)) == ["T1", "T2"]
    assert notice.paid_total == Decimal("2000.00") and notice.paid_on == timezone.localtime(now).date()
    assert Case.objects.get(pk=notice.case_id).status == "executed"
    assert audit.verify().ok


def push(server, station, body: bytes):
    stamp = str(int(time.time()))
    return server.send("/api/v1/overload/push", body, {"X-Station": station.code, "X-Timestamp": stamp,
                                                       "X-Signature": signature(station.push_secret, stamp, body)})


@pytest.mark.django_db(transaction=True)
def test_station_push_twice_concurrently_and_in_reverse_order_stores_the_same_records(world, shipped_data, server, settings, tmp_path, rng):
    from tests.faults import wim_data
    from zhifa.overload.models import Station

    wim_data.stations(world)
    station = Station.objects.get(code="S411321A")
    rows = [record(300 + i, when=at(2, 6, 0) + timedelta(minutes=7 * i), plate=f"豫R·P{rng.randrange(4):04d}",
                   gross=60_000 if rng.random() < 0.3 else 40_000) for i in range(40)]
    batches = [json.dumps({"records": rows[k:k + 10]}, ensure_ascii=False).encode() for k in range(0, 40, 10)]
    # In order, once, in-process (measured and rolled back): the expected result.
    settings.VAR_DIR = tmp_path / "in-order"
    with transaction.atomic():
        for body in batches:
            ingest.ingest_records(json.loads(body)["records"], station=station, name="in order",
                                  body_sha256=hashlib.sha256(body).hexdigest())
        expected = state(settings)
        transaction.set_rollback(True)
    assert expected["violations"], "the sample has over-limit passes"

    # Through the server: newest batch first, each one pushed twice at once (a retry racing the original).
    settings.VAR_DIR = server.var  # what the server writes
    answers, refused = [], 0
    for body in reversed(batches):
        for status, answer in together(lambda b=body: push(server, station, b), lambda b=body: push(server, station, b)):
            if status != 200:
                # Known: the loser of an exact race can fail on the pass table's unique key (a 500, its transaction
                # rolled back). The station sends again, as it does for any unanswered push, and gets "duplicates".
                refused += 1
                status, answer = push(server, station, body)
            assert status == 200, answer
            answers.append(answer)
    print(f"concurrent duplicate pushes refused with an error and resent: {refused} of {len(batches)}")
    assert sum(a["accepted"] for a in answers) == 40 and sum(a["duplicates"] for a in answers) == 40
    got = state(settings)
    assert got["records"] == expected["records"]  # the same records, each once
    # The same violations: the same passes merged per vehicle (一事不再罚 window), the same first and last pass.
    # Known difference: the key record (the one a violation is filed under) is the first pass to *arrive*.
    def merged(st):
        keyed = {v[2]: (v[0], v[1], v[3], v[4], v[5]) for v in st["violations"]}
        groups = {}
        for key, station_code, no in st["passes"]:
            groups.setdefault(key, set()).add((station_code, no))
        return sorted((keyed[k], sorted(g)) for k, g in groups.items())

    assert merged(got) == merged(expected)
    keys = (sorted(v[2] for v in expected["violations"]), sorted(v[2] for v in got["violations"]))
    print(f"key records in order {keys[0]}, in reverse order {keys[1]}")
    assert IngestBatch.objects.filter(status=IngestBatch.Status.DONE).count() == len(answers)
    assert audit.verify().ok
