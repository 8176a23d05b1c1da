"""互联网+监管 (target ``regulation``) against the simulator: a 双随机 inspection result → one message
delivered once, written in the inspection's transaction; a rejection visible with the receiver's reason,
resent after the record is corrected; a penalty decided is a 监管行为 of its own."""

from datetime import date, timedelta

import pytest

from zhifa.cases.tests.factories import decided
from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import services as inspections
from zhifa.inspections.tests.factories import InspectionItemFactory
from zhifa.integrations import outbox, services
from zhifa.integrations.models import Attempt, Message

M = Message.Status


@pytest.fixture
def world(named_world):
    return named_world  # the inspections' papers need Chinese officer names


def drawn_inspection(world):
    CompanyFactory(organisation=world.brigade_a, kind="freight")
    item = InspectionItemFactory(organisation=world.county_a)
    head = world.users["head"]
    plan = inspections.plan_create(actor=head, organisation=world.county_a, title="货运企业抽查",
                                   items=[item], target_types=["freight"], starts_on=date.today(),
                                   ends_on=date.today() + timedelta(days=30), target_count=1)
    inspections.plan_commit_seed(actor=head, plan=plan)
    inspections.plan_draw(actor=head, plan=plan)
    return plan.inspections.get(), item


def record(inspection, item, ok=True):
    checks = {item.pk: (ok, "" if ok else "未建立值班制度")}
    return inspections.inspection_record(actor=inspection.inspectors.first().user, inspection=inspection,
                                         on=date.today(), checks=checks, finding="pass" if ok else "rectify")


@pytest.mark.django_db
def test_inspection_result_is_delivered_once(world, simulator):
    inspection, item = drawn_inspection(world)
    record(inspection, item, ok=False)
    m = Message.objects.get(target="regulation")  # written in the inspection's transaction
    assert m.kind == "inspection_result"
    assert m.idempotency_key == f"regulation:inspection_result:inspection:{inspection.pk}"
    outbox.drain_all()
    outbox.drain_all()  # nothing again
    got = simulator.accepted("regulation")
    assert len(got) == 1
    p = got[0]["payload"]
    assert p["format"] == "zhifa-regulation/1" and p["behaviour"]["type"] == "01"
    assert p["subject"]["name"] == inspection.party.name and p["items"][0]["code"] == item.code
    assert p["random_check"]["plan_number"] == inspection.plan.number
    assert p["random_check"]["draw_sequence"] == 1
    assert p["result"]["finding"] == "2" and p["result"]["checks"][0]["compliant"] is False
    assert len(p["officers"]) >= 2
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.attempt_set.count() == 1
    # the follow-up visit is a message of its own, after the first one (order per subject)
    inspections.inspection_follow_up(actor=inspection.inspectors.first().user, inspection=inspection,
                                     on=date.today(), rectified=True, result="已建立值班制度")
    outbox.drain_all()
    kinds = [r["kind"] for r in simulator.accepted("regulation")]
    assert kinds == ["inspection_result", "inspection_follow_up"]
    row = {r.target: r for r in services.reconcile(day=date.today(), targets=["regulation"])}["regulation"]
    assert row.expected == 2 and row.acknowledged == 2 and row.differences == []


@pytest.mark.django_db
def test_rejection_is_visible_with_its_reason_and_resent_after_correction(world, simulator, client_for):
    inspection, item = drawn_inspection(world)
    party = inspection.party
    code = party.credit_code
    type(party).objects.filter(pk=party.pk).update(credit_code="", id_number="")
    record(inspection, item)
    outbox.drain_all()
    m = Message.objects.get(target="regulation")
    assert m.status == M.REJECTED and "缺少监管对象统一社会信用代码或证件号码" in m.last_error
    assert Attempt.objects.get(message=m).outcome == "rejected"
    page = client_for("supervisor").get("/integrations/?target=regulation&status=rejected").content.decode()
    assert "缺少监管对象统一社会信用代码或证件号码" in page
    assert not simulator.accepted("regulation")
    # corrected, then 重发: the payload is rebuilt from the record, under a new key
    type(party).objects.filter(pk=party.pk).update(credit_code=code)
    outbox.message_resend(actor=world.users["admin"], message=m)
    outbox.drain_all()
    m.refresh_from_db()
    got = simulator.accepted("regulation")
    assert m.status == M.ACKNOWLEDGED and m.idempotency_key.endswith("#r1") and m.attempt_set.count() == 2
    assert len(got) == 1 and got[0]["payload"]["subject"]["identifier"] == code


@pytest.mark.django_db
def test_penalty_decided_is_a_regulation_behaviour(world, simulator):
    case = decided(world)
    outbox.drain_all()
    got = simulator.accepted("regulation")
    assert [r["kind"] for r in got] == ["penalty_decided"]
    p = got[0]["payload"]
    assert p["behaviour"]["type"] == "02" and p["penalty"]["decision_number"] == case.decision_number
    assert p["penalty"]["fine_amount_yuan"] == f"{case.fine_amount:.2f}"


@pytest.mark.django_db
def test_receiver_timeout_then_duplicate_answer_acknowledges_once(world, simulator, fast_outbox):
    inspection, item = drawn_inspection(world)
    simulator.script({"target": "regulation", "mode": "timeout", "times": 1})
    record(inspection, item)
    outbox.drain_all()
    m = Message.objects.get(target="regulation")
    assert m.status == M.PENDING and m.attempt_set.get().outcome == "timeout"
    # the receiver did get it meanwhile (its answer lost): the next try is answered "duplicate"
    simulator.state.keys[m.idempotency_key] = "SIM-REG-LATE"
    Message.objects.filter(pk=m.pk).update(next_attempt_at=m.created_at)
    outbox.drain_all()
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.receiver_reference == "SIM-REG-LATE"
    assert [a.outcome for a in m.attempt_set.all()] == ["timeout", "duplicate"]


@pytest.mark.django_db
def test_revoked_penalty_is_withdrawn_once_and_a_new_decision_is_reported(world, simulator):
    """Regression (review of the integrations, item 3): a revoked penalty was never withdrawn from
    互联网+监管 (行政处罚法 Art. 48 ¶2), and the key ``regulation:penalty_decided:case:<id>`` made a new
    decision after the revocation a "duplicate" of the revoked one. The revocation is a message of its own;
    the key names the decision."""
    from django.db import transaction
    from django.utils import timezone

    from zhifa.cases import services as case_services
    from zhifa.integrations import regulation, triggers

    case = decided(world)
    first = case.decision_number
    decided_msg = Message.objects.get(target="regulation", kind="penalty_decided")
    assert decided_msg.idempotency_key == regulation.penalty_key(case)
    assert decided_msg.idempotency_key.startswith(f"regulation:penalty_decided:case:{case.pk}:")
    outbox.drain_all()
    reason = "行政复议决定撤销原处罚决定"
    case = case_services.case_revoke(actor=world.users["head"], case=case, reason=reason)
    # written in the revocation's transaction
    revoked = Message.objects.get(target="regulation", kind="penalty_revoked")
    assert revoked.idempotency_key == regulation.penalty_key(case, "penalty_revoked")
    # the same decision
    assert revoked.idempotency_key.split(":")[-1] == decided_msg.idempotency_key.split(":")[-1]
    outbox.drain_all()
    outbox.drain_all()  # nothing again
    got = simulator.accepted("regulation")
    assert [r["kind"] for r in got] == ["penalty_decided", "penalty_revoked"]
    withdrawal = got[1]["payload"]
    assert withdrawal["record_id"] == got[0]["payload"]["record_id"]  # the same 监管行为, withdrawn
    assert withdrawal["revocation"]["decision_number"] == first
    assert withdrawal["revocation"]["revoked_on"] == timezone.localdate().isoformat()
    assert withdrawal["revocation"]["reason"] == reason
    revoked.refresh_from_db()
    assert revoked.status == M.ACKNOWLEDGED and revoked.attempt_set.count() == 1
    day = timezone.localdate()  # the decision's and the revocation's day (local)
    row = {r.target: r for r in services.reconcile(day=day, targets=["regulation"])}["regulation"]
    assert row.expected == 2 and row.acknowledged == 2 and row.differences == []

    # A new decision (another number) after the revocation is reported, not dropped as a duplicate. The case
    # workflow ends a revoked case (归档 only), so the act is driven through its trigger.
    second = f"{first}（重新作出）"
    case.decision_number, case.status = second, "decided"
    with transaction.atomic():
        triggers.case_changed(case, "decide")
        triggers.case_changed(case, "decide")  # the same act repeated: one message
    again = Message.objects.get(target="regulation", kind="penalty_decided",
                                idempotency_key=regulation.penalty_key(case))
    assert again.pk != decided_msg.pk and again.idempotency_key != decided_msg.idempotency_key
    outbox.drain_all()
    got = simulator.accepted("regulation")
    assert [r["kind"] for r in got] == ["penalty_decided", "penalty_revoked", "penalty_decided"]
    assert got[2]["payload"]["penalty"]["decision_number"] == second


@pytest.mark.django_db
def test_a_revocation_of_what_was_not_reported_sends_nothing(world, simulator):
    """Only a reported decision is withdrawn: one never reported (decided before the platform was connected)
    sends nothing when revoked."""
    from zhifa.cases import services as case_services

    case = decided(world)
    Message.objects.filter(target="regulation").delete()  # as if decided before the platform was connected
    case_services.case_revoke(actor=world.users["head"], case=case, reason="撤销")
    assert not Message.objects.filter(target="regulation").exists()
