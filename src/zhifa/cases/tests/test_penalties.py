"""Penalty kinds of 行政处罚法 Art. 9 on notice and decision (scenario tests named after the article): combined
penalties (道路运输条例 Art. 63: 没收违法所得 + 罚款), a revocation (公路安全保护条例 Art. 66), the hearing right and
legal review following the kinds (Art. 63, 58), payment only for money (Art. 67), Art. 45 per kind, the kinds
the item's provision provides (Art. 4), the 双公示 category of each kind, and the benchmark deviation (Art. 34)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.documents import document_context
from zhifa.cases.models import Case, PenaltyLine
from zhifa.cases.penalties import SPECS, line_text, lines_text, parse_lines, penalty_category
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.discretion.models import PenaltyKind
from zhifa.documents.kinds import KINDS
from zhifa.documents.render import render_html
from zhifa.payments.models import PaymentNotice

from .factories import company, opened, person

pytestmark = pytest.mark.django_db

TEAM = ("officer", "officer2")
CONFISCATE_AND_FINE = [{"kind": "fine", "amount": "10000"}, {"kind": "confiscate_income", "amount": "150"}]
LICENCE = "道路运输证（豫R·D3578，No. 411321012345）"


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def _render(case, kind):
    return _text(render_html(kind=KINDS[kind], organisation=case.organisation, number="X", context=document_context(case, kind)))


def _through_legal_review(world, case, *, amount=None, deviation=""):
    case = services.case_report(actor=world.users["officer"], case=case, report_text="经调查，违法事实清楚，证据确凿。",
                                proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount, deviation_reason=deviation)
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    assert case.status == Status.LEGAL_REVIEW
    # 没收违法所得并处罚款: a fine by the gains, whose range the reviewer checks (罚款幅度未能自动核对, Arts. 4, 58)
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="事实清楚，适用依据正确。",
                               range_check="违法所得不足一万元，依第六十三条处一万元以上五万元以下罚款，拟罚款在幅度内。")
    case.refresh_from_db()
    return case


def test_art9_road_transport_regulation_art63_confiscation_and_fine_end_to_end(world, shipped_catalogue):
    """非法营运: 没收违法所得 150 元 + 罚款 10,000 元 in one decision; the hearing right is offered (Art. 63 (二):
    confiscation); the payment notice collects both money lines and nothing else."""
    party = person(world, name="赵六")
    case = opened(world, party=party, code="YS-002")
    case = _through_legal_review(world, case, amount=Decimal("10000"), deviation="违法所得少，首次被查处，按法定最低额")
    case = services.case_notify(actor=world.users["officer"], case=case, lines=CONFISCATE_AND_FINE)
    assert case.hearing_right is True
    assert [(x.kind, x.amount) for x in case.notified_lines] == [("fine", Decimal("10000.00")), ("confiscate_income", Decimal("150.00"))]
    notice = _render(case, "violation_notice")
    assert "拟对你作出如下行政处罚：1.罚款人民币10,000.00元；2.没收违法所得人民币150.00元" in notice.replace("你（单位）", "你") or \
        "1.罚款人民币10,000.00元；2.没收违法所得人民币150.00元" in notice
    assert "有权要求举行听证" in notice

    case = services.case_waive(actor=world.users["officer"], case=case, statement="对违法事实无异议，放弃听证。")
    case = services.case_decide(actor=world.users["head"], case=case, lines=CONFISCATE_AND_FINE, legal_basis="《中华人民共和国道路运输条例》第六十三条第（二）项",
                                reasoning="当事人未取得道路客运经营许可擅自从事道路旅客运输经营，违法所得150元。")
    assert case.penalty_kind == "fine" and case.fine_amount == Decimal("10000.00") and case.payable_amount == Decimal("10150.00")
    assert [x.kind for x in case.decided_lines] == ["fine", "confiscate_income"]
    decision = _render(case, "penalty_decision")
    assert "1.罚款人民币10,000.00元；2.没收违法所得人民币150.00元（合计应缴：人民币壹万零壹佰伍拾元整，￥10,150.00）" in decision
    assert "缴纳罚款和没收的违法所得" in decision

    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    assert case.status == Status.EXECUTION
    pay = PaymentNotice.objects.get(case=case)
    assert pay.amount == Decimal("10150.00") and pay.decision_number == case.decision_number
    # 行政处罚法 Art. 72 ¶1 (一): late payment is surcharged 3% a day of the fine (10,000), not of the 150 confiscated.
    from zhifa.payments.services import notice_state

    assert pay.surcharge_base == Decimal("10000.00")
    assert notice_state(pay, pay.due_on + timedelta(days=10)).surcharge == Decimal("3000.00")
    assert notice_state(pay, pay.due_on + timedelta(days=60)).surcharge == Decimal("10000.00")  # never more than the fine


def test_art9_highway_protection_art66_revocation_end_to_end(world, shipped_catalogue):
    """一超四罚: 吊销 道路运输证 No. … alone; hearing right (Art. 63 (三)) and legal review (Art. 58) follow the kind;
    no payment notice — the decision is executed on delivery."""
    firm = company(world, name="南阳宏达物流有限公司")
    case = opened(world, party=firm, code="CX-006")
    case = services.case_report(actor=world.users["officer"], case=case, report_text="车辆一年内违法超限运输4次。",
                                proposed_outcome=Case.Outcome.PENALTY)
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    assert case.status == Status.LEGAL_REVIEW, "吊销许可证件 is in the legal-review catalogue (Art. 58)"
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="事实清楚。")
    case.refresh_from_db()
    revoke = [{"kind": "licence_revocation", "subject": LICENCE}]
    case = services.case_notify(actor=world.users["officer"], case=case, lines=revoke)
    assert case.hearing_right is True and case.notified_penalty_kind == "licence_revocation" and case.notified_amount is None
    notice = _render(case, "violation_notice")
    assert f"吊销{LICENCE}".replace(" ", "") in notice and "有权要求举行听证" in notice
    case = services.case_waive(actor=world.users["officer"], case=case, statement="放弃听证")
    case = services.case_decide(actor=world.users["head"], case=case, lines=revoke, legal_basis="《公路安全保护条例》第六十六条",
                                reasoning="车辆一年内违法超限运输超过3次。")
    assert case.penalty_kind == "licence_revocation" and case.fine_amount is None and case.payable_amount is None
    decision = _render(case, "penalty_decision")
    assert f"作出如下行政处罚：吊销{LICENCE}".replace(" ", "") in decision
    assert "履行方式和期限" not in decision and "缴纳" not in decision
    case = services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    assert case.status == Status.EXECUTED and not PaymentNotice.objects.filter(case=case).exists()


def test_art63_hearing_right_follows_each_kind(world, shipped_catalogue):
    case = opened(world, party=company(world))
    heavy = {"confiscate_income", "confiscate_property", "qualification_downgrade", "licence_revocation", "order_stop", "order_closure",
             "restrict_practice", "licence_suspension", "restrict_operation"}
    for kind, spec in SPECS.items():
        line = {"kind": kind, "amount": "500" if spec.amount else None, "subject": "某证件" if spec.subject else "", "term": "三个月" if spec.term else ""}
        assert services.default_hearing_right(case, lines=parse_lines([line])) is (kind in heavy), kind
    # A fine below the organisation's large-fine threshold gives no right; combined with a revocation it does.
    small = parse_lines([{"kind": "fine", "amount": "5000"}])
    assert not services.default_hearing_right(case, lines=small)
    assert services.default_hearing_right(case, lines=parse_lines([{"kind": "fine", "amount": "5000"}, {"kind": "licence_revocation", "subject": LICENCE}]))


def test_art63_confiscation_threshold_set_by_province(world, shipped_catalogue):
    """Art. 63 (二) 较大数额: with the province's threshold on the rule, a small confiscation gives no hearing right."""
    from zhifa.discretion.models import ReviewRule

    ReviewRule.objects.filter(catalogue="hearing", penalty_kind="confiscate_income").update(threshold=Decimal("5000"))
    case = opened(world)
    assert not services.default_hearing_right(case, lines=parse_lines([{"kind": "confiscate_income", "amount": "150"}]))
    assert services.default_hearing_right(case, lines=parse_lines([{"kind": "confiscate_income", "amount": "5000"}]))


def test_art45_decision_not_heavier_than_notice_per_kind(world, shipped_catalogue):
    case = opened(world, party=company(world), code="YS-002")
    case = _through_legal_review(world, case, amount=Decimal("10000"), deviation="按法定最低额")
    case = services.case_notify(actor=world.users["officer"], case=case, lines=[{"kind": "fine", "amount": "10000"}])
    case = services.case_waive(actor=world.users["officer"], case=case)
    n, lines = Event.objects.count(), PenaltyLine.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, lines=CONFISCATE_AND_FINE, legal_basis=case.violation_item.penalty_basis, reasoning="y")
    assert exc.value.code == "penalty_increased" and "没收违法所得" in exc.value.message and "第四十五条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=world.users["head"], case=case, lines=[{"kind": "fine", "amount": "12000"}], legal_basis=case.violation_item.penalty_basis, reasoning="y")
    assert exc.value.code == "penalty_increased"
    assert Case.objects.get(pk=case.pk).status == Status.NOTIFIED and Event.objects.count() == n and PenaltyLine.objects.count() == lines
    case = services.case_decide(actor=world.users["head"], case=case, lines=[{"kind": "fine", "amount": "10000"}], legal_basis=case.violation_item.penalty_basis, reasoning="y")
    assert case.status == Status.DECIDED


def test_art4_kind_must_be_provided_by_the_items_penalty_provision(world, shipped_catalogue):
    case = opened(world, party=company(world), code="CX-006")
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome=Case.Outcome.PENALTY)
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
    case.refresh_from_db()
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_notify(actor=world.users["officer"], case=case, lines=[{"kind": "fine", "amount": "3000"}])
    assert exc.value.code == "penalty_not_provided" and "吊销许可证件" in exc.value.message and "第四条" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == Status.REVIEWED and Event.objects.count() == n and not case.penalty_lines.exists()


@pytest.mark.parametrize("line, code", [
    ({"kind": "licence_revocation"}, "penalty_subject_required"),
    ({"kind": "confiscate_property"}, "penalty_subject_required"),
    ({"kind": "licence_suspension", "subject": LICENCE}, "penalty_term_required"),
    ({"kind": "confiscate_income"}, "invalid_amount"),
    ({"kind": "fine", "amount": "-1"}, "invalid_amount"),
    ({"kind": "detention"}, "invalid_penalty"),
])
def test_art9_line_must_name_what_it_bears_on(line, code):
    with pytest.raises(DomainError) as exc:
        parse_lines([line])
    assert exc.value.code == code


def test_art9_each_kind_reads_on_paper():
    lines = parse_lines([
        {"kind": "warning"}, {"kind": "public_criticism", "subject": "在本系统内"},
        {"kind": "confiscate_property", "subject": "非法改装的座椅12套", "amount": "2400"},
        {"kind": "licence_suspension", "subject": "道路运输证（No. 1）", "term": "三个月"},
        {"kind": "qualification_downgrade", "subject": "道路运输企业资质由一级降为二级"},
        {"kind": "restrict_operation", "subject": "道路旅客运输班线经营", "term": "六个月"},
        {"kind": "order_stop", "subject": "停业整顿", "term": "一个月"}, {"kind": "order_closure"},
        {"kind": "restrict_practice", "subject": "停止从事营业性运输"},
    ])
    assert [line_text(x) for x in lines] == [
        "警告", "通报批评（在本系统内）", "没收非法财物：非法改装的座椅12套（价值人民币2,400.00元）", "暂扣道路运输证（No. 1），期限三个月",
        "降低资质等级：道路运输企业资质由一级降为二级", "限制开展生产经营活动（道路旅客运输班线经营），期限六个月",
        "责令停产停业（停业整顿），期限一个月", "责令关闭", "限制从业（停止从事营业性运输）"]
    assert lines_text(lines[:1]) == "警告" and lines_text(lines[:2]).startswith("1. 警告；2. 通报批评")


def test_art51_simplified_procedure_only_warning_or_fine():
    with pytest.raises(DomainError) as exc:
        from zhifa.cases.penalties import SIMPLIFIED_KINDS

        parse_lines([{"kind": "confiscate_income", "amount": "100"}], allowed=SIMPLIFIED_KINDS)
    assert "第五十一条" in exc.value.message


def test_penalty_category_for_every_art9_kind():
    """双公示 处罚类别: every kind of Art. 9 has its own category, named as the law names it."""
    categories = {k: penalty_category(k) for k in PenaltyKind.values}
    assert len({c.code for c in categories.values()}) == len(PenaltyKind.values)
    assert categories["confiscate_income"].label == "没收违法所得" and categories["order_closure"].label == "责令关闭"
    assert categories["warning"].code == "01" and categories["restrict_practice"].code == "12"
    assert penalty_category("detention") == "其他" and penalty_category("detention").code == "99"
    assert str(penalty_category("fine")) == "罚款"


def test_art34_simplified_fine_below_suggestion_needs_reason_shown_in_decision(world, shipped_catalogue):
    """A simplified fine of 200 yuan against the benchmark's 350 (CZ-001) needs the officer's reason; the
    当场行政处罚决定书 states the suggestion, the amount and the reason."""
    party = person(world)
    kw = dict(actor=world.users["officer"], organisation=world.brigade_a, party=party,
              officers=[world.officers[k] for k in TEAM], occurred_at=timezone.now() - timedelta(hours=1), place="南召县汽车站",
              facts="巡游出租汽车驾驶员拒载乘客", penalty_kind="fine", amount=Decimal("200"),
              legal_basis="《巡游出租汽车经营服务管理规定》第四十八条", violation_item_code="CZ-001")
    n, cases = Event.objects.count(), Case.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_simplified(**kw)
    assert exc.value.code == "deviation_reason_required" and "350.00" in exc.value.message
    assert Event.objects.count() == n and Case.objects.count() == cases
    case = services.case_simplified(**kw, deviation_reason="当事人当场认错并向乘客道歉，且为初次被查处")
    assert case.deviation_reason and case.assessment["amount"] == "350.00"
    text = _render(case, "onspot_decision")
    assert "建议罚款350.00元" in text and "决定罚款200.00元" in text and "当事人当场认错并向乘客道歉" in text
