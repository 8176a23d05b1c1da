"""Scenario 4: a visitor on the public portal — home page, published decisions search, the power list (权责清单),
and a complaint submitted with a tracking code that is then tracked. No account is used."""

import re

import pytest
from django.utils import timezone

from zhifa.cases.tests.factories import decided, person
from zhifa.complaints.models import Complaint
from zhifa.oversight import loader
from zhifa.portal import services as portal_services
from zhifa.portal.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_visitor_uses_the_public_portal(world, open_session):
    loader.load_powers(actor=world.users["admin"], bureau=world.county_a, brigade=world.brigade_a, reason="年度权责清单梳理",
                       authority="召编办〔2026〕1号")
    case = decided(world, party=person(world, name="王建国"))
    case.refresh_from_db()
    assert case.decision_number
    portal_services.publication_run(today=timezone.localdate())
    pub = Publication.objects.get(subject_id=str(case.pk))
    assert pub.status == Publication.Status.PUBLISHED

    s = open_session("portal")
    page = s.page
    s.goto("/portal/")
    assert page.get_by_role("heading", name="交通运输行政执法公开平台").is_visible()
    assert "已公开执法决定 1 条" in page.content()
    s.shot("01-home")

    # Search the published decisions from the home page's search box by the decision number.
    page.get_by_label("查询执法决定").fill(case.decision_number)
    page.get_by_role("button", name="查询").first.click()
    page.wait_for_url(re.compile(r"/portal/decisions/\?"))
    result = page.get_by_role("link", name=re.compile(re.escape(case.decision_number)))
    assert result.count() >= 1
    s.shot("02-decisions-search")
    result.first.click()
    page.wait_for_url(re.compile(r"/portal/decisions/\d+/$"))
    body = page.content()
    assert case.decision_number in body
    assert "王＊＊" in body and "王建国" not in body  # natural person's name masked to the surname
    assert case.party.id_number not in body
    s.shot("03-decision-detail")

    # A search that matches nothing says so and lists nothing.
    s.goto("/portal/decisions/?q=不存在的文号XYZ")
    assert page.get_by_role("link", name=re.compile(re.escape(case.decision_number))).count() == 0

    # The power list, reached from the home page's tile.
    s.goto("/portal/")
    page.get_by_role("link", name=re.compile("权责清单")).first.click()
    page.wait_for_url(re.compile(r"/oversight/public/powers/"))
    assert "对车辆违法超限运输" in page.content()
    page.get_by_label("权力类型").select_option(label="行政许可")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"kind=licensing"))
    body = page.content()
    assert "道路旅客运输经营许可" in body and "对车辆违法超限运输" not in body
    s.shot("04-power-list")

    # A complaint through the public form, then tracked with the code and the phone's last four digits.
    s.goto("/portal/")
    page.get_by_role("link", name=re.compile("投诉举报")).first.click()
    page.wait_for_url(re.compile(r"/complaints/public/$"))
    page.get_by_label("投诉受理单位").select_option(label=world.county_a.name)
    page.get_by_label("投诉类别").select_option(index=1)
    page.get_by_label("投诉内容").fill("G207国道南召段有出租车拒载并绕路，车费比平时多收30元。")
    page.get_by_label("发生地点").fill("南召县城关镇汽车站")
    page.get_by_label("车牌号").fill("豫R·T1234")
    page.get_by_label("您的姓名").fill("李女士")
    page.get_by_label("手机号码").fill("13912345678")
    s.shot("05-complaint-form")
    page.get_by_role("button", name="提交投诉").click()
    page.get_by_role("heading", name="投诉已受理").wait_for()
    complaint = Complaint.objects.get()
    assert complaint.organisation == world.county_a and complaint.complainant_phone == "13912345678"
    assert complaint.number in page.content()
    s.shot("06-complaint-done")

    page.get_by_role("link", name="查询进度").click()
    page.wait_for_url(re.compile(r"/complaints/public/track/"))
    assert page.get_by_label("受理编号").input_value() == complaint.number
    page.get_by_label("手机号后四位").fill("0000")  # wrong tail: reads exactly like an unknown number
    s.submit(page.get_by_role("button", name="查询"))
    assert "未查询到该投诉" in page.content()
    page.get_by_label("手机号后四位").fill("5678")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name=complaint.number).wait_for()
    body = page.content()
    assert complaint.get_status_display() in body and "办理过程" in body
    s.shot("07-complaint-tracked")
