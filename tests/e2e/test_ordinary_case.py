"""Scenario 1: an ordinary-procedure case from lead to archive, every step through the pages: the officer registers
the lead, the head approves opening and requires legal review, officer2 takes the inquiry transcript, the officer
registers evidence with a photo and reports, the head reviews, the reviewer gives the legal review, the officer
notifies and records the waiver, the head decides, the officer delivers, the party pays on the public pay page,
the head closes and the officer archives. The timeline on the case page and the final state are asserted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.cases.models import Case, EvidenceItem, StatusChange, Transcript
from zhifa.cases.tests.factories import person
from zhifa.cases.workflow import Status

from .conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A 1×1 PNG: the photo uploaded as evidence.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


def _to_case(s, case):
    s.goto(f"/cases/{case.pk}/")
    s.page.get_by_role("heading", name=re.compile(re.escape(case.number))).wait_for()


def test_ordinary_case_from_lead_to_archive(named_world, open_session, tmp_path):
    world = named_world  # officers with Chinese names, as on real papers (the document lint refuses English)
    party = person(world, name="赵德明")
    officer = open_session("ordinary").login("officer")
    officer2 = open_session("ordinary").login("officer2")
    head = open_session("ordinary").login("head")
    reviewer = open_session("ordinary").login("reviewer")

    # 1. The officer registers the lead from the case list.
    page = officer.page
    officer.goto("/cases/new/")
    page.get_by_role("heading", name="登记案件线索").wait_for()
    occurred = timezone.localtime() - timedelta(days=2)
    fill(page, {"案件来源": "举报核实", "当事人证件号码": party.id_number, "违法行为发生时间": occurred.strftime("%Y-%m-%dT%H:%M"),
                "地点": "G207国道南召县皇后乡段", "案情": "群众举报该当事人驾驶货车未携带道路运输证从事道路货物运输。"},
         checks=["李明（"])
    officer.shot("01-lead-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    assert case.status == Status.LEAD and case.party == party
    assert any("已登记线索" in m for m in officer.messages("success"))
    assert page.locator("details > summary", has_text="批准立案").count() == 0  # only the head may open
    officer.shot("02-lead-registered")

    # 2. The head approves opening and requires legal review (Art. 58).
    _to_case(head, case)
    head.act("批准立案")
    head.act("设定法制审核/集体讨论", {"依据/理由": "举报案件，案情需法制审核"}, checks=["需要法制审核"])
    case.refresh_from_db()
    assert case.status == Status.OPENED and case.legal_review_required and case.officers.count() == 2
    head.shot("03-opened")

    # 3. officer2 takes the inquiry transcript together with officer (Art. 42: two officers).
    _to_case(officer2, case)
    officer2.page.get_by_role("link", name="制作笔录").click()
    officer2.page.get_by_role("heading", name=re.compile("制作笔录")).wait_for()
    start = timezone.localtime() - timedelta(hours=2)
    fill(officer2.page, {"笔录种类": "询问笔录", "开始时间": start.strftime("%Y-%m-%dT%H:%M"),
                         "结束时间": (start + timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M"), "地点": "南召县交通运输综合行政执法大队询问室",
                         "问答（询问笔录）": "问：该车辆是否由你驾驶？\n答：是我驾驶的。\n问：道路运输证在哪里？\n答：忘在家里了。"},
         checks=["王建国（"])
    officer2.shot("04-transcript-form")
    officer2.page.get_by_role("button", name="保存笔录").click()
    officer2.page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    transcript = Transcript.objects.get(case=case)
    assert transcript.content[1] == {"q": "道路运输证在哪里？", "a": "忘在家里了。"} and transcript.officers.count() == 2

    # 4. The officer registers a photo as evidence.
    _to_case(officer, case)
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    page.get_by_role("link", name="登记证据").click()
    page.get_by_role("heading", name=re.compile("登记证据")).wait_for()
    fill(page, {"证据种类": "照片", "名称": "车辆及驾驶室现场照片", "证明内容": "车内未发现道路运输证",
                "文件（照片、录音、视频、PDF）": str(photo), "采集设备": "执法记录仪 NZ-017"})
    page.get_by_role("button", name="登记证据").click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    item = EvidenceItem.objects.get(case=case)
    assert item.file is not None and item.file.sha256[:16] in page.content()
    officer.shot("05-evidence")

    # 5. Investigation report (officer) → internal review (head) → legal review (reviewer).
    officer.act("提交调查终结报告", {"调查终结报告": "经调查，当事人驾驶货车未携带道路运输证从事道路货物运输，事实清楚，证据确凿。",
                                   "拟处理意见": "给予行政处罚", "拟罚款金额（元）": "200"})
    _to_case(head, case)
    head.act("审查调查终结报告", {"审查结论": "同意", "审查意见": "同意调查终结报告，提交法制审核。"})
    case.refresh_from_db()
    assert case.status == Status.LEGAL_REVIEW
    _to_case(reviewer, case)
    reviewer.shot("06-legal-review-pending")
    reviewer.act("法制审核", {"审核意见": "同意", "审核意见说明": "事实清楚，证据确凿，适用法律正确，程序合法。"})
    case.refresh_from_db()
    assert case.status == Status.REVIEWED and case.legal_reviews.count() == 1

    # 6. The officer notifies the intended penalty; the party waives statement and hearing.
    _to_case(officer, case)
    # Not in the catalogue: the violated and the penalty provision are stated on the case first.
    officer.act("写明违反条款和处罚依据", {"违反条款": "《中华人民共和国公路法》第四十八条",
                                         "处罚依据条款": "《中华人民共和国公路法》第七十六条第（四）项"})
    officer.act("告知拟处罚（违法行为通知书）", {"拟处罚种类": "罚款", "金额（元）": "200"})
    officer.act("当事人放弃陈述申辩和听证", {"当事人放弃权利的书面声明": "对违法事实无异议，放弃陈述申辩和听证。"})
    case.refresh_from_db()
    assert case.status == Status.NOTIFIED and case.rights_waived_on

    # 7. The head decides.
    _to_case(head, case)
    head.act("作出决定", {"处罚种类": "罚款", "金额（元）": "200", "法律依据": "《中华人民共和国公路法》第七十六条第（四）项",
                          "处罚理由（说理）": "当事人未随车携带道路运输证，违法事实清楚，初次违法且主动配合调查，按裁量基准从轻处罚。"})
    case.refresh_from_db()
    assert case.status == Status.DECIDED and case.decision_number and case.fine_amount == 200
    head.shot("07-decided")

    # 8. The officer delivers the decision directly; a payment notice is issued.
    _to_case(officer, case)
    # The date is typed in: the page pre-fills value="YYYY/MM/DD", which a date input shows as empty (reported).
    officer.act("送达决定书", {"送达方式": "直接送达", "送达日期": timezone.localdate().isoformat(), "送达地址/电子地址": "南召县城关镇1号"})
    case.refresh_from_db()
    assert case.status == Status.EXECUTION
    notice = case.payment_notice
    assert notice.amount == 200

    # 9. The party pays on the public pay page (the demo button goes through the signed callback).
    party_session = open_session("ordinary")
    party_session.goto(f"/payments/pay/{notice.code}/")
    assert case.decision_number in party_session.page.content()
    party_session.submit(party_session.page.get_by_role("button", name=re.compile("模拟支付")))
    party_session.goto(f"/payments/pay/{notice.code}/")
    assert "已缴清" in party_session.page.content()
    party_session.shot("08-paid")
    case.refresh_from_db()
    assert case.status == Status.EXECUTED and case.paid_on == timezone.localdate()

    # 10. The head closes, the officer archives.
    _to_case(head, case)
    head.act("结案", {"结案报告": "罚款已缴清，处罚决定执行完毕，予以结案。"})
    _to_case(officer, case)
    officer.act("归档")
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.archived_on
    assert "当前状态下您没有可办理的事项" in page.content()
    assert page.locator("h1 .badge", has_text="已归档").count() == 1

    # The timeline on the page lists every state the case went through, in order, and matches the database.
    expected = ["线索登记", "已立案（调查取证）", "调查终结（待审查）", "法制审核", "审查完毕（待告知）", "已告知（陈述申辩期）",
                "已决定（待送达）", "执行中", "执行完毕", "已结案", "已归档"]
    entries = page.locator("h2:has-text('办案流程') + ul.timeline > li").all_inner_texts()
    states = []
    for text in entries:
        label = text.rsplit("·", 1)[-1].strip()
        if not states or states[-1] != label:
            states.append(label)
    assert states == expected, f"{states} {entries}"
    db_states = list(StatusChange.objects.filter(case=case).order_by("at", "pk").values_list("to_status", flat=True))
    assert db_states[0] == Status.LEAD and db_states[-1] == Status.ARCHIVED
    assert {Status.LEGAL_REVIEW, Status.REVIEWED, Status.DECIDED, Status.EXECUTED} <= set(db_states)
    page.locator("details > summary", has_text="全过程记录").click()
    officer.shot("09-archived-timeline")
