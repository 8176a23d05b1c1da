"""Procedure guards at the legal boundaries (issue 15): each scenario is named after its article and probes the
boundary on both sides; every refusal leaves the case, its history and the full-process record unchanged."""

import json
from datetime import datetime, timedelta
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

from .factories import PENALTY, VIOLATED, lead, notified, opened, person

pytestmark = pytest.mark.django_db

BASIS = PENALTY  # 公路法 Art. 76 (4): up to 30,000 yuan, a range the system checks


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


def test_art58_penalty_that_becomes_major_by_amount_is_reviewed_before_notice(world, shipped_catalogue):
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


# --- 行政处罚法 Art. 63: the hearing right is told whenever the law gives it ---------------------------------------

def test_art63_hearing_right_cannot_be_switched_off_by_the_caller(world, shipped_catalogue):
    """Regression: ``hearing_right=False`` (open in the API's notify payload) took the right away from a party the
    catalogue's large-fine threshold gives it to; the right may be added, never removed."""
    case = notified(world, amount=Decimal("20000"), hearing_right=False, legal_review=True)
    assert case.hearing_right is True
    small = notified(world, amount=Decimal("2000"), hearing_right=True)
    assert small.hearing_right is True  # granted beyond the law's list: allowed


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
        place="G207国道", facts="货车驾驶员未随车携带从业资格证", penalty_kind="fine", amount=amount, legal_basis=PENALTY,
        violated_provision=VIOLATED)


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
def test_art43_mass_warning_combined_with_dimension_fine_keeps_both(gross_kg, kinds, shipped_catalogue):
    # 2-axle truck, limit 18,000 kg: exactly 1,000 kg over is a warning, 1,001 kg a fine; height 4.3 m a fine.
    on = timezone.localdate()
    result = assess(item_code="CX-001", facts={"axles": 2, "gross_kg": gross_kg, "height_m": 4.3}, violation_date=on, today=on)
    assert result.penalty_kinds == kinds
    assert result.amount is not None and result.amount > 0


# --- 行政处罚法 Art. 29: one act, one fine — compared on the act itself -------------------------------------------


def _onspot(world, party, *, hours_ago: float, place="G207国道皇后段K12", facts="货车驾驶员未随车携带道路运输证", code=None,
            not_same_act=""):
    return services.case_simplified(
        actor=world.users["officer"], organisation=world.brigade_a, party=party,
        officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=timezone.now() - timedelta(hours=hours_ago),
        place=place, facts=facts, penalty_kind="fine", amount=Decimal("100"), legal_basis=PENALTY,
        violation_item_code=code, not_same_act=not_same_act, violated_provision=VIOLATED)


def test_art29_same_act_without_catalogue_item_is_not_fined_twice(world):
    party = person(world)
    first = _onspot(world, party, hours_ago=30)
    before = (Case.objects.count(), Event.objects.count())
    with pytest.raises(DomainError) as exc:  # 1 hour later, same place, same facts (punctuation aside), no item
        _onspot(world, party, hours_ago=29, place="G207国道 皇后段 K12", facts="货车驾驶员未随车携带道路运输证。")
    assert exc.value.code == "fined_twice" and first.number in exc.value.message and "第二十九条" in exc.value.message
    assert (Case.objects.count(), Event.objects.count()) == before


def test_art29_other_side_of_the_boundary_different_time_place_or_facts(world):
    party = person(world)
    _onspot(world, party, hours_ago=50)
    assert _onspot(world, party, hours_ago=25.5).status == Status.EXECUTION  # 24.5 h later: outside the 24 h window
    assert _onspot(world, party, hours_ago=50, place="S331省道南召段K3").status == Status.EXECUTION
    assert _onspot(world, party, hours_ago=50, facts="货车驾驶员未取得从业资格证驾驶道路运输车辆").status == Status.EXECUTION


def test_art29_officer_confirms_not_the_same_act_and_it_is_recorded(world):
    party = person(world)
    first = _onspot(world, party, hours_ago=5)
    second = _onspot(world, party, hours_ago=2, not_same_act="上午为去程，下午返程再次被查获，系两次运输行为")
    assert second.status == Status.EXECUTION
    second.refresh_from_db()
    assert first.number in second.not_same_act_reason and "返程" in second.not_same_act_reason
    assert Event.objects.filter(action="case.not_same_act", subject_id=str(second.pk)).exists()


def test_art29_ordinary_decision_compared_on_the_act_with_no_item(world):
    from .factories import decided

    party = person(world)
    first = decided(world, party=party)
    second = notified(world, party=party)
    Case.objects.filter(pk=second.pk).update(occurred_at=first.occurred_at + timedelta(hours=3))
    second = services.case_waive(actor=world.users["officer"], case=Case.objects.get(pk=second.pk))
    assert not second.violation_code
    _refused("fined_twice", lambda: services.case_decide(actor=world.users["head"], case=second, penalty_kind="fine",
                                                         amount=Decimal("2000"), legal_basis=BASIS, reasoning="y"), second)
    second = services.case_decide(actor=world.users["head"], case=second, penalty_kind="fine", amount=Decimal("2000"),
                                  legal_basis=BASIS, reasoning="y", not_same_act="经核查系另一车辆的运输行为")
    assert second.status == Status.DECIDED and Case.objects.get(pk=second.pk).not_same_act_reason


# --- 行政处罚法 Art. 36: limitation measured to discovery; continuing acts; the override recorded -------------------


def _lead_at(world, occurred_at, **kw):
    return services.lead_register(actor=world.users["officer"], organisation=world.brigade_a, source=Case.Source.INSPECTION,
                                  party=person(world), occurred_at=occurred_at, place="G207国道皇后段", facts="未携带道路运输证", **kw)


def _open(world, case, **kw):
    return services.case_open(actor=world.users["head"], case=case, officers=[world.officers["officer"], world.officers["officer2"]], **kw)


def test_art36_limitation_measured_to_registration_not_to_opening(world):
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime(2026, 6, 10, 15, 0, tzinfo=tz)):
        in_time = _lead_at(world, datetime(2024, 6, 10, 9, 0, tzinfo=tz))  # discovered on the 2nd anniversary: in time
        late = _lead_at(world, datetime(2024, 6, 9, 9, 0, tzinfo=tz))  # one day more: expired
    with time_machine.travel(datetime(2026, 6, 11, 9, 0, tzinfo=tz)):  # opened the next day
        assert _open(world, in_time).status == Status.OPENED
        message = _refused("limitation_expired", lambda: _open(world, late), late)
        assert "第三十六条" in message and "2026年06月10日发现" in message


def test_art36_officer_entered_discovery_date_needs_evidence(world):
    occurred = timezone.now() - timedelta(days=2 * 365 + 10)
    before = (Case.objects.count(), Event.objects.count())
    for kw, code in [({"discovered_on": timezone.localdate() - timedelta(days=20)}, "discovery_evidence_required"),
                     ({"discovered_on": timezone.localdate() + timedelta(days=1), "discovery_evidence": "举报"}, "date_in_future"),
                     ({"discovered_on": timezone.localdate() - timedelta(days=3 * 365), "discovery_evidence": "举报"},
                      "date_before_prerequisite")]:
        with pytest.raises(DomainError) as exc:
            _lead_at(world, occurred, **kw)
        assert exc.value.code == code
    assert (Case.objects.count(), Event.objects.count()) == before
    case = _lead_at(world, occurred, discovered_on=timezone.localdate() - timedelta(days=20),
                    discovery_evidence="12328热线举报登记 20261115-0031")
    case = _open(world, case)
    assert case.status == Status.OPENED and not case.limitation_override


def test_art36_discovery_recorded_on_a_lead_as_its_own_act(world):
    case = _lead_at(world, timezone.now() - timedelta(days=2 * 365 + 10))
    with time_machine.travel(timezone.now() + timedelta(days=3)):  # a discovery after the registration is refused
        _refused("discovery_after_registration", lambda: services.case_discovery_record(
            actor=world.users["officer"], case=case, discovered_on=timezone.localdate() - timedelta(days=1), evidence="检查记录"), case)
    case = services.case_discovery_record(actor=world.users["officer"], case=case,
                                          discovered_on=timezone.localdate() - timedelta(days=15), evidence="部门移送函 宛公交移〔2026〕12号")
    assert StatusChange.objects.filter(case=case, action="discovery").exists()
    assert _open(world, case).status == Status.OPENED


def test_art36_para2_continuing_act_counts_from_its_end(world):
    occurred = timezone.now() - timedelta(days=3 * 365)
    expired = _lead_at(world, occurred)
    _refused("limitation_expired", lambda: _open(world, expired), expired)
    with pytest.raises(DomainError) as exc:
        _lead_at(world, occurred, act_ended_on=timezone.localdate() - timedelta(days=4 * 365))
    assert exc.value.code == "date_before_prerequisite"
    continuing = _lead_at(world, occurred, act_ended_on=timezone.localdate() - timedelta(days=365))
    assert _open(world, continuing).status == Status.OPENED


def test_art36_override_is_a_recorded_act(world):
    case = _lead_at(world, timezone.now() - timedelta(days=3 * 365))
    case = _open(world, case, limitation_override="经集体讨论，认定违法行为处于继续状态")
    assert case.limitation_override
    step = StatusChange.objects.get(case=case, action="limitation_override")
    assert "继续状态" in step.note
    assert Event.objects.filter(action="case.limitation_override", subject_id=str(case.pk)).exists()


# --- 行政处罚法 Art. 30 with ADR 0005: 周岁 reached on the day after the birthday -----------------------------------


def _onspot_minor(world, born, acted_on, *, lenient=False):
    import random

    from zhifa.core.demo import make_id_number

    party = person(world, id_number=make_id_number(random.Random(born.toordinal()), "411321", born))
    when = datetime(acted_on.year, acted_on.month, acted_on.day, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(when + timedelta(hours=1)):
        return services.case_simplified(
            actor=world.users["officer"], organisation=world.brigade_a, party=party,
            officers=[world.officers["officer"], world.officers["officer2"]], occurred_at=when, place="G207国道",
            facts="未随车携带从业资格证", penalty_kind="fine", amount=Decimal("50"), legal_basis=PENALTY,
            violated_provision=VIOLATED, lenient=lenient)


@pytest.mark.parametrize(("born", "acted_on", "code"), [
    (datetime(2012, 6, 10).date(), datetime(2026, 6, 10).date(), "minor_no_penalty"),  # the 14th birthday: still 13
    (datetime(2012, 6, 10).date(), datetime(2026, 6, 11).date(), "minor_lenient"),  # the day after: 14
    (datetime(2008, 6, 10).date(), datetime(2026, 6, 10).date(), "minor_lenient"),  # the 18th birthday: still 17
    (datetime(2012, 2, 29).date(), datetime(2026, 2, 28).date(), "minor_no_penalty"),  # 29 Feb: 28 Feb ends the 14 years
    (datetime(2012, 2, 29).date(), datetime(2026, 3, 1).date(), "minor_lenient"),
])
def test_art30_full_years_counted_from_the_day_after_the_birthday(world, born, acted_on, code):
    with pytest.raises(DomainError) as exc:
        _onspot_minor(world, born, acted_on)
    assert exc.value.code == code


def test_art30_eighteen_reached_the_day_after_the_birthday(world):
    case = _onspot_minor(world, datetime(2008, 6, 10).date(), datetime(2026, 6, 11).date())
    assert case.status == Status.EXECUTION and not case.lenient


def test_art36_pages_register_discovery_and_continuing_act(world, client_for):
    from django.urls import reverse

    party = person(world)
    officer = client_for("officer")
    team = [world.officers["officer"].pk, world.officers["officer2"].pk]
    page = officer.get(reverse("cases:lead_new")).content.decode()
    assert "违法行为终了日期" in page and "发现日期的依据" in page
    occurred = timezone.localtime() - timedelta(days=3 * 365)
    resp = officer.post(reverse("cases:lead_new"), {
        "source": "report", "party_identifier": party.id_number, "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "place": "G207国道", "facts": "擅自占用公路堆放物料，至今未清除", "officers": team,
        "act_ended_on": (timezone.localdate() - timedelta(days=30)).isoformat()})
    assert resp.status_code == 302
    case = Case.objects.get(party=party)
    assert case.act_ended_on == timezone.localdate() - timedelta(days=30)
    detail = client_for("head").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "记录发现日期" in detail
    resp = client_for("officer").post(reverse("cases:act", args=[case.pk, "discovery"]), {
        "discovery-discovered_on": (timezone.localdate() - timedelta(days=3)).isoformat(), "discovery-evidence": "",
        "discovery-act_ended_on": (timezone.localdate() - timedelta(days=30)).isoformat()}, follow=True)
    errors = [m.message for m in resp.context["messages"] if m.level_tag == "error"]
    assert errors and "第三十六条" in errors[0]
    assert Case.objects.get(pk=case.pk).discovered_on is None
