"""Procedure guards at the legal boundaries (issue 15): each scenario is named after its article and probes the
boundary on both sides; every refusal leaves the case, its history and the full-process record unchanged."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import clocks, services
from zhifa.cases.models import Case, ClockSuspension, StatusChange
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.discretion.engine import assess

from .factories import lead, notified, opened, person
from .test_ordinary import shipped_catalogue  # noqa: F401 — the fixture (the legal-review catalogue, the overload item)

pytestmark = pytest.mark.django_db

BASIS = "《中华人民共和国道路运输条例》第六十八条"


def _state(case):
    fresh = Case.objects.get(pk=case.pk)
    return (fresh.status, fresh.updated_at, Event.objects.count(), StatusChange.objects.filter(case=case).count(),
            ClockSuspension.objects.filter(case=case).count())


def _refused(code, call, case):
    before = _state(case)
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == code, exc.value.message
    assert _state(case) == before
    return exc.value.message


def _opened_without_review(world, **kw):
    case = lead(world, **kw)
    return services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]],
                              legal_review_required=False)


def _reviewed_without_review(world, amount):
    case = _opened_without_review(world)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="经调查，违法事实清楚。",
                                proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount)
    return services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")


def _heard(world, amount=Decimal("5000")):
    """A case opened with "no legal review", notified with a hearing right granted by the authority, heard."""
    case = _reviewed_without_review(world, amount)
    assert case.status == Status.REVIEWED
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=amount, hearing_right=True)
    case = services.case_hearing_request(actor=world.users["officer"], case=case)
    hearing_on = timezone.localdate() + timedelta(days=20)
    case = services.case_hearing_schedule(actor=world.users["officer"], case=case, hearing_on=hearing_on)
    return case, hearing_on


# --- 行政处罚法 Art. 58 ¶1(2): legal review after a hearing, and when the catalogue lists the penalty --------------


def test_art58_hearing_requires_legal_review_even_if_opened_without_it(world):
    case, hearing_on = _heard(world)
    with time_machine.travel(timezone.now() + timedelta(days=21)):
        case = services.case_hearing_hold(actor=world.users["officer"], case=case, record="当事人到场陈述申辩。", held_on=hearing_on)
        assert case.review_set_by_head and not case.legal_review_required
        message = _refused("legal_review_missing", lambda: services.case_decide(
            actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("5000"), legal_basis=BASIS, reasoning="y"), case)
        assert "第五十八条" in message
        required, basis = services.review_requirement(case)
        assert required and "听证" in basis
        case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="听证后送法制审核")
        assert case.status == Status.LEGAL_REVIEW
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="听证程序合法")
        case.refresh_from_db()
        case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("5000"),
                                    legal_basis=BASIS, reasoning="y")
    assert case.status == Status.DECIDED


def test_art58_without_hearing_the_heads_no_review_stands(world):
    case = _reviewed_without_review(world, Decimal("5000"))
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("5000"), hearing_right=False)
    case = services.case_waive(actor=world.users["officer"], case=case)
    case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("5000"), legal_basis=BASIS, reasoning="y")
    assert case.status == Status.DECIDED and not case.legal_reviews.exists()


def test_art58_penalty_that_becomes_major_by_amount_is_reviewed_before_notice(world, shipped_catalogue):  # noqa: F811
    # The catalogue lists a fine of 10,000 yuan or more for a citizen; the head had said "no legal review".
    case = _reviewed_without_review(world, Decimal("9999.99"))
    assert case.status == Status.REVIEWED
    message = _refused("legal_review_missing", lambda: services.case_notify(
        actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("10000"), hearing_right=True), case)
    assert "第五十八条" in message and "一万元" in message
    # Below the threshold the head's setting stands.
    other = _reviewed_without_review(world, Decimal("9999.99"))
    other = services.case_notify(actor=world.users["officer"], case=other, penalty_kind="fine", amount=Decimal("9999.99"), hearing_right=False)
    assert other.status == Status.NOTIFIED
    # The way on: the head sends the reviewed case to legal review, then the major penalty may be notified.
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="拟罚款达到法制审核标准")
    assert case.status == Status.LEGAL_REVIEW
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
    case.refresh_from_db()
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("10000"), hearing_right=True)
    assert case.status == Status.NOTIFIED


# --- 行政处罚法 Arts. 63–64: dates of the hearing acts -------------------------------------------------------------


def test_art64_hearing_request_not_dated_in_the_future(world):
    case = notified(world, amount=Decimal("20000"), hearing_right=True, legal_review=True)
    today = timezone.localdate()
    _refused("date_in_future", lambda: services.case_hearing_request(actor=world.users["officer"], case=case,
                                                                     requested_on=today + timedelta(days=1)), case)
    case = services.case_hearing_request(actor=world.users["officer"], case=case, requested_on=today)
    assert case.status == Status.HEARING


def test_art64_hearing_notice_not_before_the_violation_notice_or_request_nor_in_the_future(world):
    case = notified(world, amount=Decimal("20000"), hearing_right=True, legal_review=True)
    case = services.case_hearing_request(actor=world.users["officer"], case=case)
    today = timezone.localdate()
    hearing_on = today + timedelta(days=30)
    message = _refused("date_before_prerequisite", lambda: services.case_hearing_schedule(
        actor=world.users["officer"], case=case, hearing_on=hearing_on, notice_on=today - timedelta(days=1)), case)
    assert "违法行为通知书" in message and "第六十四条" in message
    _refused("date_in_future", lambda: services.case_hearing_schedule(
        actor=world.users["officer"], case=case, hearing_on=hearing_on, notice_on=today + timedelta(days=1)), case)
    case = services.case_hearing_schedule(actor=world.users["officer"], case=case, hearing_on=hearing_on, notice_on=today)
    assert case.hearing_notice_on == today


def test_art64_hearing_not_held_in_the_future_and_decision_not_before_it(world):
    case = notified(world, amount=Decimal("20000"), hearing_right=True, legal_review=True)
    case = services.case_hearing_request(actor=world.users["officer"], case=case)
    hearing_on = timezone.localdate() + timedelta(days=20)
    case = services.case_hearing_schedule(actor=world.users["officer"], case=case, hearing_on=hearing_on)
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        today = timezone.localdate()
        _refused("date_in_future", lambda: services.case_hearing_hold(actor=world.users["officer"], case=case, record="笔录",
                                                                      held_on=today + timedelta(days=1)), case)
        case = services.case_hearing_hold(actor=world.users["officer"], case=case, record="笔录", held_on=today)
        assert case.hearing_held_on == today
    # A hearing recorded after the decision day (old or imported data) blocks a decision dated before it.
    Case.objects.filter(pk=case.pk).update(hearing_held_on=timezone.localdate() + timedelta(days=1))
    case.refresh_from_db()
    services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="送审")
    services.case_legal_review(actor=world.users["reviewer"], case=Case.objects.get(pk=case.pk), opinion="agree", text="同意")
    case.refresh_from_db()
    message = _refused("date_before_prerequisite", lambda: services.case_decide(
        actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("20000"), legal_basis=BASIS, reasoning="y"), case)
    assert "听证举行日期" in message


# --- 行政处罚法 Art. 60: suspensions of the decision clock ------------------------------------------------------


def test_art60_suspension_not_before_opening_and_resume_not_in_the_future(world):
    case = opened(world)
    today = timezone.localdate()
    message = _refused("date_before_prerequisite", lambda: services.case_suspend(
        actor=world.users["officer"], case=case, reason="testing", started_on=today - timedelta(days=1)), case)
    assert "立案日期" in message and "第六十条" in message
    _refused("date_in_future", lambda: services.case_suspend(actor=world.users["officer"], case=case, reason="testing",
                                                             started_on=today + timedelta(days=1)), case)
    services.case_suspend(actor=world.users["officer"], case=case, reason="testing", started_on=today)
    case.refresh_from_db()
    decision = next(c for c in clocks.clocks(case) if c.key == "decision")
    assert decision.state() == "suspended" and decision.state_label == "中止计算（检测、检验）"
    assert decision.state_label != "期限内"
    _refused("date_in_future", lambda: services.case_resume(actor=world.users["officer"], case=case,
                                                            ended_on=today + timedelta(days=60)), case)
    services.case_resume(actor=world.users["officer"], case=case, ended_on=today)
    decision = next(c for c in clocks.clocks(Case.objects.get(pk=case.pk)) if c.key == "decision")
    assert decision.state() == "green" and decision.state_label == "期限内"


def test_art60_suspended_clock_reads_suspended_in_the_api(world, api_for):
    case = opened(world)
    api = api_for("officer")
    bad = api.post(f"/api/v1/cases/{case.pk}/suspend", json.dumps({"reason": "appraisal", "started_on": "2020-01-01"}),
                   content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "date_before_prerequisite"
    ok = api.post(f"/api/v1/cases/{case.pk}/suspend", json.dumps({"reason": "appraisal"}), content_type="application/json")
    assert ok.status_code == 200
    detail = api.get(f"/api/v1/cases/{case.pk}").json()
    assert next(c for c in detail["clocks"] if c["key"] == "decision")["state"] == "suspended"


# --- 行政处罚法 Art. 51: the refusal says what the law says ---------------------------------------------------


def _simplified(world, amount):
    return services.case_simplified(
        actor=world.users["officer"], organisation=world.brigade_a, party=person(world),
        officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=timezone.now() - timedelta(hours=1),
        place="G207国道", facts="货车驾驶员未随车携带从业资格证", penalty_kind="fine", amount=amount, legal_basis="《道路运输从业人员管理规定》")


def test_art51_refusal_says_over_two_hundred_yuan(world):
    assert _simplified(world, Decimal("200")).status == Status.EXECUTION
    n = Case.objects.count(), Event.objects.count()
    with pytest.raises(DomainError) as exc:
        _simplified(world, Decimal("200.01"))
    assert exc.value.code == "simplified_not_allowed"
    assert "罚款超过二百元" in exc.value.message and "以上" not in exc.value.message and "第五十一条" in exc.value.message
    assert (Case.objects.count(), Event.objects.count()) == n


# --- 《超限运输车辆行驶公路管理规定》 Art. 43: warning and fine kept together ---------------------------------


@pytest.mark.parametrize(("gross_kg", "kinds"), [(19000, ["warning", "fine"]), (19001, ["fine"])])
def test_art43_mass_warning_combined_with_dimension_fine_keeps_both(gross_kg, kinds, shipped_catalogue):  # noqa: F811
    # 2-axle truck, limit 18,000 kg: exactly 1,000 kg over is a warning, 1,001 kg a fine; height 4.3 m a fine.
    on = timezone.localdate()
    result = assess(item_code="CX-001", facts={"axles": 2, "gross_kg": gross_kg, "height_m": 4.3}, violation_date=on, today=on)
    assert result.penalty_kinds == kinds
    assert result.amount is not None and result.amount > 0
