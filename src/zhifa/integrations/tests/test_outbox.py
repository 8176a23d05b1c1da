"""The outbox against the local simulator (issue 20 acceptance): delivered once, in order per subject, after the
receiver comes back; a dead worker's claim taken over without a second record at the receiver; rejection with the
receiver's reason and resend after correction; dead letter after N tries; revocation → withdrawal message."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.cases.tests.factories import company, decided, person
from zhifa.core import services as core_services
from zhifa.core.errors import NotPermitted, TransitionNotAllowed
from zhifa.core.identifiers import credit_code_check_char
from zhifa.core.models import Event
from zhifa.integrations import client, outbox
from zhifa.integrations.models import Attempt, Message
from zhifa.integrations.simulator import Simulator
from zhifa.portal import services as portal_services

from .conftest import free_port

M = Message.Status


def later(minutes: int):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


def serious(world):
    """A decision of an agency with its credit code on record (数据来源单位统一社会信用代码 is required by 双公示)."""
    code = "11411321MB1234567"
    world.brigade_a.credit_code = code + credit_code_check_char(code)
    world.brigade_a.save(update_fields=["credit_code"])
    return decided(world, party=company(world), amount=Decimal("30000"))  # 公路法 Art. 76: the maximum


def publish(case):
    return portal_services.publication_sync_subject(subject_type="cases.case", subject_id=str(case.pk), today=timezone.localdate())


@pytest.mark.django_db
def test_case_decided_reaches_supervision_and_publicity_once(world, simulator):
    case = serious(world)
    pub = publish(case)
    assert pub.status == "published" and pub.credit_published
    outbox.drain_all()
    outbox.drain_all()  # a second drain sends nothing again
    got = simulator.accepted()
    assert [(r["target"], r["kind"]) for r in got] == [("supervision", "case_decided"), ("regulation", "penalty_decided"),
                                                       ("publicity", "publication")]
    sup = got[0]["payload"]
    assert sup["case_number"] == case.number and sup["decision"]["number"] == case.decision_number
    assert sup["decision"]["fine_amount_yuan"] == "30000.00"
    row = got[2]["payload"]["row"]  # the national credit-information field set, amounts in 万元
    assert row["罚款金额(万元)"] == "3.000000" and row["行政处罚决定书文号"] == case.decision_number and row["数据操作类型"] == "新增"
    assert Message.objects.filter(status=M.ACKNOWLEDGED).count() == 3
    assert Attempt.objects.count() == 3
    acks = Event.objects.filter(action="outbox.acknowledged")
    assert acks.count() == 3 and all(len(e.changes["messages"]) == 1 for e in acks)  # one event per target and batch


@pytest.mark.django_db
def test_publicity_rejects_a_row_without_the_agency_credit_code(world, simulator):
    publish(decided(world))  # the brigade has no credit code on record
    outbox.drain_all()
    m = Message.objects.get(target="publicity")
    assert m.status == M.REJECTED and "缺少数据来源单位统一社会信用代码" in m.last_error


@pytest.mark.django_db
def test_same_key_reports_once(world, fast_outbox):
    case = decided(world)
    from django.db import transaction

    with transaction.atomic():
        again = outbox.outbox_enqueue(target="supervision", subject=case, kind="case_decided", payload={"other": 1},
                                      idempotency_key=f"supervision:case_decided:case:{case.pk}")
    assert Message.objects.filter(target="supervision").count() == 1 and again.payload != {"other": 1}


@pytest.mark.django_db
def test_no_receiver_configured_keeps_messages_waiting(world, fast_outbox):
    fast_outbox.INTEGRATION_SIMULATOR_URL = ""
    decided(world)
    assert outbox.drain_all() == {}
    m = Message.objects.get(target="supervision")
    assert m.status == M.PENDING and m.attempts == 0 and not Attempt.objects.exists()


@pytest.mark.django_db
def test_receiver_down_for_an_hour_then_delivered_in_order_once(world, fast_outbox):
    port = free_port()  # nobody listens: connection refused
    fast_outbox.INTEGRATION_SIMULATOR_URL = f"http://127.0.0.1:{port}"
    case = serious(world)
    pub = publish(case)
    portal_services.publication_withdraw(actor=None, publication=pub, today=timezone.localdate(), reason="决定已撤销")
    counts = outbox.drain_all()
    # one try each for the three first messages (supervision, 互联网+监管, publication); the withdrawal waits behind
    # its publication
    assert counts == {"pending": 3}
    withdrawal = Message.objects.get(kind="withdrawal")
    assert withdrawal.attempts == 0
    first = Message.objects.get(kind="publication")
    assert first.last_error.startswith("无法连接接收方") and first.next_attempt_at > timezone.now()
    sim = Simulator(port=port).start()
    try:
        with later(61):
            outbox.drain_all()
        got = sim.accepted()
    finally:
        sim.stop()
    assert [(r["target"], r["kind"]) for r in got if r["target"] == "publicity"] == [("publicity", "publication"), ("publicity", "withdrawal")]
    assert got[-1]["payload"]["row"]["数据操作类型"] == "撤回" and "决定已撤销" in got[-1]["payload"]["row"]["备注"]
    assert len(got) == 4 and len({r["key"] for r in got}) == 4
    assert set(Message.objects.values_list("status", flat=True)) == {M.ACKNOWLEDGED}


@pytest.mark.django_db
def test_worker_dead_mid_delivery_is_taken_over_and_recorded_once_by_the_receiver(world, simulator):
    decided(world)
    m = Message.objects.get(target="supervision")
    assert outbox.claim(m, timezone.now())
    # The dead worker's request reached the receiver, but its answer was never recorded.
    first = client.post(simulator.url + "/supervision/case-decided", m.payload, headers={"Idempotency-Key": m.idempotency_key})
    assert first.outcome == "accepted"
    assert outbox.drain_all(target="supervision") == {}  # the lease still holds: nobody else sends it
    with later(2):
        outbox.drain_all()
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.attempts == 2
    assert Attempt.objects.get(message=m).outcome == "duplicate"
    assert len(simulator.accepted("supervision")) == 1


@pytest.mark.django_db
def test_a_batch_claim_wins_each_message_once_and_a_stale_worker_changes_nothing(world, fast_outbox):
    from django.db import transaction

    with transaction.atomic():
        outbox.outbox_enqueue_many(target="supervision", kind="case_decided", summary="测试", items=[
            {"subject": ("cases.case", str(i), f"案件{i}"), "idempotency_key": f"batch:{i}", "payload": {"n": i}} for i in range(5)])
    now = timezone.now()
    mine, theirs = list(Message.objects.order_by("pk")), list(Message.objects.order_by("pk"))
    with transaction.atomic():
        won = outbox.claim_batch(mine[:3], now)
    with transaction.atomic():
        also = outbox.claim_batch(theirs, now)  # read before my claim: wins only the two I did not take
    assert [m.pk for m in won] == [m.pk for m in mine[:3]] and [m.pk for m in also] == [m.pk for m in theirs[3:]]
    assert {m.claim_token for m in won}.isdisjoint({m.claim_token for m in also})
    # my lease runs out, another worker takes the first one over; my late acknowledgement does not overwrite it
    with later(2), transaction.atomic():
        taken = outbox.claim_batch([Message.objects.get(pk=won[0].pk)], timezone.now())
    assert len(taken) == 1 and taken[0].attempts == 2
    outbox._finish([(won[0], client.Result("accepted", 200, "", "REF-LATE"))], started=now)
    row = Message.objects.get(pk=won[0].pk)
    assert row.status == M.SENDING and row.receiver_reference == "" and row.claim_token == taken[0].claim_token


@pytest.mark.django_db
def test_bulk_enqueue_skips_keys_already_written_and_records_one_event(world, fast_outbox):
    from django.db import transaction

    items = [{"subject": ("cases.case", str(i), f"案件{i}"), "idempotency_key": f"bulk:{i}", "payload": {"n": i}} for i in range(4)]
    events = Event.objects.count()
    with transaction.atomic():
        assert outbox.outbox_enqueue_many(target="supervision", kind="case_decided", items=items[:2], summary="第一批") == 2
    with transaction.atomic():
        assert outbox.outbox_enqueue_many(target="supervision", kind="case_decided", items=items, summary="第二批") == 2
    assert Message.objects.count() == 4 and Event.objects.count() == events + 2


@pytest.mark.django_db
def test_a_claim_is_won_by_one_worker_only(world, fast_outbox):
    decided(world)
    m = Message.objects.get(target="supervision")
    other = Message.objects.get(pk=m.pk)
    now = timezone.now()
    assert outbox.claim(m, now) is True
    assert outbox.claim(other, now) is False
    assert Message.objects.get(pk=m.pk).attempts == 1


@pytest.mark.django_db
def test_rejection_shows_the_reason_and_resend_after_correction_is_accepted(world, simulator, client_for):
    party = person(world, address="")
    case = decided(world, party=party)
    outbox.drain_all()
    m = Message.objects.get(target="supervision")
    assert m.status == M.REJECTED and "缺少当事人住所" in m.last_error
    page = client_for("admin").get("/integrations/?status=rejected")
    assert "缺少当事人住所" in page.content.decode() and case.number in page.content.decode()
    # An officer may not resend; nothing changes.
    with pytest.raises(NotPermitted):
        outbox.message_resend(actor=world.users["officer"], message=m)
    assert Message.objects.get(pk=m.pk).status == M.REJECTED
    core_services.party_update(actor=world.users["officer"], party=party, address="河南省南阳市南召县城关镇1号")
    outbox.message_resend(actor=world.users["admin"], message=m)
    outbox.drain_all()
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.idempotency_key.endswith("#r1")
    got = simulator.accepted("supervision")
    assert len(got) == 1 and got[0]["payload"]["party"]["address"].startswith("河南省")
    assert Event.objects.filter(action="outbox.resend", subject_id=str(m.pk)).count() == 1
    with pytest.raises(TransitionNotAllowed):  # an acknowledged message is not sent again
        outbox.message_resend(actor=world.users["admin"], message=m)


@pytest.mark.django_db
def test_dead_letter_after_max_attempts_holds_back_the_subject(world, simulator):
    simulator.script({"target": "supervision", "mode": "error"})
    case = decided(world)
    for minutes in (0, 5, 10, 20):
        with later(minutes):
            outbox.drain_all()
    m = Message.objects.get(target="supervision")
    assert m.status == M.DEAD and m.attempts == 4
    assert list(Attempt.objects.filter(message=m).values_list("outcome", flat=True)) == ["error"] * 4
    with later(30):
        case_services.case_revoke(actor=world.users["head"], case=case, reason="复议决定撤销")
        outbox.drain_all()
    assert Message.objects.get(kind="case_revoked").attempts == 0  # waits behind the dead decision message
    simulator.script()
    with later(31):
        outbox.message_resend(actor=world.users["supervisor"], message=m)
        outbox.drain_all()
    kinds = [r["kind"] for r in simulator.accepted("supervision")]
    assert kinds == ["case_decided", "case_revoked"]


@pytest.mark.django_db
def test_timeout_is_a_retry_not_a_loss(world, simulator):
    simulator.script({"target": "supervision", "mode": "timeout", "times": 1})
    decided(world)
    outbox.drain_all()
    m = Message.objects.get(target="supervision")
    assert m.status == M.PENDING and Attempt.objects.get(message=m).outcome == "timeout"
    with later(1):
        outbox.drain_all()
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and len(simulator.accepted("supervision")) == 1


@pytest.mark.django_db
def test_backoff_doubles_and_is_capped(settings):
    settings.INTEGRATION_BACKOFF_BASE, settings.INTEGRATION_BACKOFF_MAX = 30, 3600
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [30, 60, 120, 3600]


@pytest.mark.django_db
def test_a_worker_whose_lease_expired_does_not_overwrite_the_next_claim(world, fast_outbox):
    decided(world)
    stale = Message.objects.get(target="supervision")
    assert outbox.claim(stale, timezone.now())
    fresh = Message.objects.get(pk=stale.pk)
    assert outbox.claim(fresh, timezone.now() + timedelta(minutes=2))  # the lease expired: taken over
    statuses = outbox._finish([(stale, client.Result("accepted", 200, reference="R-1"))], started=timezone.now())
    assert statuses == {stale.pk: M.SENDING}
    row = Message.objects.get(pk=stale.pk)
    assert row.status == M.SENDING and row.attempts == 2 and row.receiver_reference == ""
    assert not Event.objects.filter(action="outbox.acknowledged").exists()


@pytest.mark.django_db
def test_a_worker_whose_post_fails_gives_the_rest_of_its_share_back_untried(world, simulator, settings):
    from django.db import transaction

    settings.INTEGRATION_CONCURRENCY = 2
    with transaction.atomic():
        outbox.outbox_enqueue_many(target="supervision", kind="case_decided", summary="测试", items=[
            {"subject": ("cases.case", str(9000 + i), f"案件{i}"), "idempotency_key": f"share:{i}",
             "payload": {"party": {"name": "某公司", "address": "南阳"}, "decision": {"number": f"N{i}"}}}
            for i in range(9)])
    simulator.script({"target": "supervision", "key": "share:3", "mode": "error"})
    outbox.deliver_due()
    by_key = {m.idempotency_key: m for m in Message.objects.all()}
    # the probe (0) alone, then shares [1, 3, 5, 7] and [2, 4, 6, 8]: 3 fails, 5 and 7 are not tried
    assert by_key["share:3"].status == M.PENDING and by_key["share:3"].attempt_set.get().outcome == "error"
    untried = {k for k, m in by_key.items() if m.attempts == 0}
    assert untried == {"share:5", "share:7"}
    assert all(by_key[k].status == M.PENDING and not by_key[k].attempt_set.exists() for k in untried)
    assert len(simulator.accepted("supervision")) == 6
    simulator.script()
    with later(2):
        outbox.drain_all()
    assert set(Message.objects.values_list("status", flat=True)) == {M.ACKNOWLEDGED}
    assert len(simulator.accepted("supervision")) == 9


@pytest.mark.django_db
def test_each_correction_is_a_version_of_its_own_after_the_decision(world, simulator):
    """Regression (issue 20 leftovers, item 3): the supervision keys were ``supervision:<kind>:case:<id>`` — one per
    case and kind — and a 补正 of the delivered decision sent nothing. A later change of the record sent under its
    first message's key is dropped twice: the outbox keeps one message per key, and the platform answers a key it
    has seen "duplicate". Each correction is now a message keyed by the case and the correction (a version), and
    goes after the case's earlier messages, in order, each accepted as new."""
    simulator.script({"target": "supervision", "mode": "error"})  # the platform is down while the case moves on
    case = decided(world)
    outbox.drain_all()
    case = case_services.case_deliver(actor=world.users["officer"], case=case, method="direct")
    first = case_services.case_correct(actor=world.users["head"], case=case, field_label="当事人住址",
                                       old_text="城关镇1号", new_text="城关镇11号", reason="笔误")
    second = case_services.case_correct(actor=world.users["head"], case=case, field_label="违法地点",
                                        old_text="G207国道", new_text="G207国道K1200处", reason="笔误")
    messages = list(Message.objects.filter(target="supervision").order_by("pk"))
    assert [m.kind for m in messages] == ["case_decided", "case_corrected", "case_corrected"]
    assert len({m.idempotency_key for m in messages}) == 3
    simulator.script()
    with later(5):
        outbox.drain_all()
    got = simulator.accepted("supervision")
    assert [(r["kind"], r["payload"].get("correction_id")) for r in got] == [
        ("case_decided", None), ("case_corrected", first.pk), ("case_corrected", second.pk)]
    assert [c["new_text"] for c in got[2]["payload"]["corrections"]] == ["城关镇11号", "G207国道K1200处"]
    # each was new to the platform, none answered "duplicate"
    assert set(Attempt.objects.filter(message__target="supervision").exclude(outcome="error")
               .values_list("outcome", flat=True)) == {"accepted"}
    # what the platform does with a key it has seen: the same message posted again is a duplicate, not a new record
    assert client.post(simulator.url + "/supervision/case-corrected", got[1]["payload"], secret="",
                       headers={"Idempotency-Key": got[1]["key"]}).outcome == Attempt.Outcome.DUPLICATE
    assert len(simulator.accepted("supervision")) == 3
