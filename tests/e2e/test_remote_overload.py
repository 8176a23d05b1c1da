"""Scenario 3: a vehicle owner handles an off-site overload case remotely (不见面执法) on the public pages under
``/overload/remote/``: identifies with plate + colour + notice code, sees the evidence, consents to electronic
delivery, accepts; the bureau (through its services) applies the acceptance, decides and delivers electronically;
the owner sees the decision, pays on the payment page (the demo pay button goes through the signed callback) and
sees the case paid. A phone-sized viewport is used, as most owners would."""

import re
from datetime import date

import pytest
from django.utils import timezone

from zhifa.cases import services as cs
from zhifa.cases.models import Case
from zhifa.cases.workflow import Status
from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest, services
from zhifa.overload.models import RemoteAct, Violation
from zhifa.overload.tests.conftest import at, record
from zhifa.overload.tests.factories import DeviceFactory, StationFactory, ensure_overload_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PLATE = "豫R·A1001"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _notified_violation(world) -> Violation:
    """A detected overload (60 t on a 6-axle combination), its case opened, reported and notified."""
    ensure_overload_rules()
    station = StationFactory(organisation=world.brigade_a, code="S411321A", location_published_on=date(2020, 1, 1))
    DeviceFactory(station=station, code="D-A-1", accuracy_class=5, calibration_valid_from=date(2026, 1, 1),
                  calibration_valid_until=date(2026, 12, 31), review_passed_on=date(2020, 1, 1))
    VehicleFactory(organisation=world.brigade_a, plate=PLATE)
    ingest.ingest_records([record(1, when=at(2, 10), gross=60_000, plate=PLATE)], station=station, name="e2e", body_sha256="0" * 64)
    violation = Violation.objects.get()
    case = services.violation_open_case(violation=violation)
    violation.refresh_from_db()
    head, officer = world.users["head"], world.users["officer"]
    amount = violation.proposed_amount or 1000
    case = cs.case_open(actor=head, case=case, officers=[world.officers["officer"], world.officers["officer2"]], legal_review_required=False)
    case = cs.case_report(actor=officer, case=case, report_text="不停车检测数据完整，设备检定有效，超限事实清楚。",
                          proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount)
    case = cs.case_internal_review(actor=head, case=case, approve=True, opinion="同意")
    cs.case_notify(actor=officer, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount)
    return violation


def test_owner_handles_an_offsite_case_remotely_and_pays(world, open_session):
    violation = _notified_violation(world)
    case = Case.objects.get(pk=violation.case_id)
    assert case.status == Status.NOTIFIED and violation.notice_code

    s = open_session("remote", **PHONE)
    page = s.page
    s.goto("/overload/remote/")
    page.get_by_role("heading", name=re.compile("不见面办理")).wait_for()
    s.shot("01-identify")

    # A wrong code finds nothing and says so.
    page.get_by_label("号牌号码").fill(PLATE)
    page.get_by_label("号牌颜色").select_option(value="yellow")
    page.get_by_label("查询码", exact=True).fill("ZZZZZZZZ")
    s.submit(page.get_by_role("button", name="查询"))
    assert "未找到对应的超限记录" in page.content()

    page.get_by_label("查询码", exact=True).fill(violation.notice_code)
    s.submit(page.get_by_role("button", name="查询"))
    assert page.url.endswith("/overload/remote/case/")
    page.get_by_role("heading", name=re.compile(re.escape(PLATE))).wait_for()
    body = page.content()
    assert case.number in body and "D-A-1" in body  # the case and the evidence (device of the weighing)
    assert "拟处罚" in body
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "remote page scrolls sideways on a phone"
    s.shot("02-case-and-evidence")

    # Consent to electronic delivery (Art. 61), then accept the facts and waive statement and hearing.
    page.get_by_label("手机号或电子邮箱").fill("13937712345")
    s.submit(page.get_by_role("button", name="同意电子送达"))
    assert "您已同意以电子方式接收本案文书" in page.content()
    s.submit(page.get_by_role("button", name=re.compile("认可违法事实")))
    assert "您的意见已提交，等待执法人员处理" in page.content()
    s.shot("03-consented-accepted")
    kinds = set(RemoteAct.objects.filter(violation=violation).values_list("kind", flat=True))
    assert {RemoteAct.Kind.VIEW, RemoteAct.Kind.CONSENT, RemoteAct.Kind.ACCEPT} <= kinds

    # The bureau applies the acceptance, decides and delivers electronically citing the consent.
    act = RemoteAct.objects.get(violation=violation, kind=RemoteAct.Kind.ACCEPT)
    case = services.remote_act_apply(actor=world.users["officer"], act=act)
    case = cs.case_decide(actor=world.users["head"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=case.notified_amount,
                          legal_basis="《公路安全保护条例》第六十四条；《超限运输车辆行驶公路管理规定》第四十三条",
                          reasoning=(violation.assessment or {}).get("reasoning") or "超限事实清楚，按裁量基准处罚。")
    case = cs.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.ELECTRONIC,
                           consent=services.remote_consent_text(violation))
    case.refresh_from_db()
    assert case.status == Status.EXECUTION

    # The owner reloads the page: decision and delivery shown, with the payment link.
    s.goto("/overload/remote/case/")
    body = page.content()
    assert case.decision_number in body and "电子送达" in body
    s.shot("04-decision")
    page.get_by_role("link", name="去缴纳罚款").click()
    page.wait_for_url(re.compile(r"/payments/pay/[^/]+/$"))
    page.get_by_role("heading", name="行政处罚罚款缴纳").wait_for()
    assert case.decision_number in page.content() and f"{case.fine_amount} 元" in page.content()
    s.shot("05-pay-page")
    s.submit(page.get_by_role("button", name=re.compile("模拟支付")))
    s.goto(page.url if "/payments/pay/" in page.url else f"/payments/pay/{case.payment_notice.code}/")
    assert "已缴清" in page.content()
    assert page.get_by_role("button", name=re.compile("模拟支付")).count() == 0
    s.shot("06-paid")

    case.refresh_from_db()
    assert case.status == Status.EXECUTED and case.paid_on == timezone.localdate()
    s.goto("/overload/remote/case/")
    body = page.content()
    assert "缴清日期" in body and "执行完毕" in body
    assert page.locator(".badge.green", has_text="缴纳罚款").count() == 1
    s.shot("07-remote-paid")
