"""Complaints: intake, routing, deadlines, reply, return visit and reopening, the XLSX import, KPIs and the
public form."""

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from openpyxl import Workbook

from zhifa.complaints import selectors, services
from zhifa.complaints.models import Complaint, ComplaintStep
from zhifa.complaints.tests.factories import RoutingRuleFactory
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.notifications.models import Notification

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))  # a Monday


def _sheet(rows, header=("工单编号", "来源渠道", "受理时间", "诉求人", "联系电话", "诉求类别", "诉求内容", "被投诉企业", "车牌号", "发生地点", "线路")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


@pytest.fixture
def rule(world):
    return RoutingRuleFactory(organisation=world.county_a, target_unit=world.brigade_a, target_officer=world.officers["officer2"],
                              category="taxi", priority=10)


@time_machine.travel(NOW, tick=False)
def test_import_routes_answers_on_time_and_counts_in_kpis_and_reports_malformed_row(world, rule):
    """Acceptance: an imported work order is routed, answered on time and counted; a malformed row is reported
    with its row number and no other row is lost."""
    firm = CompanyFactory(organisation=world.brigade_a)
    sheet = _sheet([
        ("GD-001", "12345", "2026-03-02 08:10", "张三", "13800001111", "出租车拒载", "出租车拒载乘客", firm.name, "", "火车站", "1路"),
        ("GD-002", "12328", "2026-03-01 20:00", "李四", "13800002222", "货运", "货车夜间噪声扰民", "", "", "皇后乡", ""),
        ("GD-003", "12345", "昨天下午", "王五", "13800003333", "其他", "时间写错的工单", "", "", "", ""),
        ("GD-004", "", datetime(2026, 2, 28, 10, 0), "", "", "咨询", "咨询道路运输证年审", "", "", "", ""),
    ])
    result = services.complaint_import_xlsx(actor=world.users["head"], organisation=world.county_a, file=sheet)
    assert result.rows == 4
    assert [c.external_id for c in result.created] == ["GD-001", "GD-002", "GD-004"]
    assert result.errors == [(4, "受理时间“昨天下午”格式不正确（应为 2026-01-05 09:30）")]
    taxi = Complaint.objects.get(external_id="GD-001")
    assert taxi.status == Complaint.Status.ASSIGNED and taxi.organisation == world.brigade_a
    assert taxi.assigned_officer == world.officers["officer2"] and taxi.firm == firm and taxi.channel == "12345"
    # the assignment reaches the officer's inbox (notifications app, which replaced the complaints-only notices)
    assert Notification.objects.filter(recipient=world.users["officer2"], subject_type="complaints.complaint", subject_id=str(taxi.pk)).exists()
    assert taxi.due_on == date(2026, 3, 9)  # 5 working days after Mon 2 March
    # Unmatched rows stay with the receiving unit, unassigned.
    assert Complaint.objects.get(external_id="GD-002").status == Complaint.Status.RECEIVED
    services.complaint_reply(actor=world.users["officer2"], complaint=taxi, reply="已约谈企业，责令整改", replied_at=taxi.received_at + timedelta(minutes=20))
    taxi.refresh_from_db()
    assert taxi.instant_reply and taxi.replied_on_time
    kpis = selectors.complaint_kpis(Complaint.objects.all(), today=date(2026, 3, 2))
    assert (kpis.received, kpis.instant, kpis.on_time, kpis.due) == (3, 1, 1, 1)
    assert kpis.on_time_rate == 100 and str(kpis.instant_rate) == "33.3"
    assert selectors.complaint_counts_by_firm(date(2026, 1, 1)) == {firm.party_id: 1}


@time_machine.travel(NOW, tick=False)
def test_reimporting_a_sheet_reports_duplicates_and_creates_nothing(world):
    sheet = [("GD-9", "12345", "2026-03-02 08:00", "", "", "", "投诉内容", "", "", "", "")]
    services.complaint_import_xlsx(actor=world.users["head"], organisation=world.county_a, file=_sheet(sheet))
    again = services.complaint_import_xlsx(actor=world.users["head"], organisation=world.county_a, file=_sheet(sheet))
    assert again.created == [] and again.errors[0][0] == 2 and "已导入" in again.errors[0][1]
    assert Complaint.objects.count() == 1


def test_import_without_required_columns_is_refused(world):
    with pytest.raises(DomainError) as exc:
        services.complaint_import_xlsx(actor=world.users["head"], organisation=world.county_a, file=_sheet([], header=("编号", "内容")))
    assert exc.value.code == "missing_columns"


@time_machine.travel(NOW, tick=False)
def test_dissatisfied_return_visit_reopens_with_new_deadline_then_satisfied_closes(world, rule):
    c = services.complaint_intake(actor=world.users["head"], organisation=world.county_a, channel="12328", category="taxi", content="拒载")
    services.complaint_reply(actor=world.users["officer2"], complaint=c, reply="已处理")
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=NOW.tzinfo), tick=False):
        services.complaint_return_visit(actor=world.users["officer"], complaint=c, satisfaction="dissatisfied")
    c.refresh_from_db()
    assert c.status == Complaint.Status.REOPENED and c.reopen_count == 1 and c.due_on == date(2026, 3, 11)
    services.complaint_reply(actor=world.users["officer2"], complaint=c, reply="再次答复")
    c.refresh_from_db()
    assert not c.instant_reply  # a reply after reopening is never 即时
    services.complaint_return_visit(actor=world.users["officer"], complaint=c, satisfaction="satisfied")
    c.refresh_from_db()
    assert c.status == Complaint.Status.CLOSED and c.closed_at is not None
    assert [s.to_status for s in c.steps.all()] == ["received", "assigned", "replied", "reopened", "replied", "closed"]


@time_machine.travel(NOW, tick=False)
def test_forbidden_transition_changes_nothing(world):
    c = services.complaint_intake(actor=world.users["head"], organisation=world.county_a, channel="12345", content="内容")
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        services.complaint_return_visit(actor=world.users["head"], complaint=c, satisfaction="satisfied")
    c.refresh_from_db()
    assert c.status == Complaint.Status.RECEIVED and c.satisfaction == "" and Event.objects.count() == events


def test_other_jurisdiction_cannot_act_or_see(world, client_for):
    c = services.complaint_intake(actor=world.users["officer"], organisation=world.brigade_a, channel="12345", content="内容")
    with pytest.raises(NotPermitted):
        services.complaint_reply(actor=world.users["officer_b"], complaint=c, reply="x")
    assert client_for("officer_b").get(f"/complaints/r/complaints/{c.pk}/").status_code == 404
    assert client_for("officer").get(f"/complaints/r/complaints/{c.pk}/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_overdue_unanswered_complaint_counts_against_on_time_rate(world):
    c = services.complaint_intake(actor=world.users["head"], organisation=world.county_a, channel="12345", content="内容")
    kpis = selectors.complaint_kpis(Complaint.objects.all(), today=c.due_on + timedelta(days=1))
    assert (kpis.due, kpis.on_time, kpis.open_overdue, kpis.on_time_rate) == (1, 0, 1, 0)


@time_machine.travel(NOW, tick=False)
def test_petition_deadline_is_sixty_calendar_days(world):
    # 信访工作条例: 60 days from acceptance (calendar days; a period ending on a rest day moves to the next working day)
    c = services.complaint_intake(actor=world.users["head"], organisation=world.county_a, channel="petition", content="来信")
    assert c.due_on == date(2026, 5, 6)  # 1 May (holiday) → after the 劳动节 break
    assert not c.due_confirmed  # the rule's citation is unconfirmed


def test_public_form_and_tracking(world, client):
    response = client.post("/complaints/public/", {"organisation": world.county_a.pk, "category": "taxi", "content": "出租车绕路",
                                                     "complainant_phone": "13912345678", "place": "汽车站"})
    assert response.status_code == 200
    c = Complaint.objects.get()
    assert c.channel == "online" and c.number in response.content.decode()
    assert c.number in client.get("/complaints/public/track/", {"number": c.number, "phone_tail": "5678"}).content.decode()
    wrong = client.get("/complaints/public/track/", {"number": c.number, "phone_tail": "0000"}).content.decode()
    assert "未查询到" in wrong and "出租车绕路" not in wrong


@time_machine.travel(NOW, tick=False)
def test_pages_export_and_api(world, client_for, api_for, rule):
    services.complaint_intake(actor=world.users["head"], organisation=world.county_a, channel="12345", category="taxi", content="拒载")
    client = client_for("officer")
    for url in ["/complaints/r/complaints/", "/complaints/r/complaints/new/", "/complaints/analysis/", "/complaints/import/",
                "/complaints/r/mediations/", "/complaints/r/soft/", "/complaints/r/deadlines/"]:
        assert client.get(url).status_code == 200, url
    export = client.get("/complaints/r/complaints/?format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/complaints/analysis/?format=xlsx").status_code == 200
    api = api_for("officer")
    page = api.get("/api/v1/complaints/complaints/?limit=1").json()
    assert len(page["items"]) == 1 and page["items"][0]["status"] == "assigned"
    created = api.post("/api/v1/complaints/intake", {"channel": "12328", "content": "公交甩站", "category": "bus", "external_id": "API-1"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    dup = api.post("/api/v1/complaints/intake", {"channel": "12328", "content": "公交甩站", "external_id": "API-1"}, content_type="application/json")
    assert dup.status_code == 400 and dup.json()["code"] == "duplicate_work_order"
    assert api_for("officer_b").get(f"/api/v1/complaints/complaints/{created.json()['id']}").status_code == 404
    kpis = api.get("/api/v1/complaints/kpis", {"start": "2026-01-01", "end": "2026-12-31"}).json()
    assert kpis["received"] == 2


def test_form_create_validates(world, client_for):
    client = client_for("officer")
    bad = client.post("/complaints/r/complaints/new/", {"channel": "12345", "category": "taxi", "content": ""})
    assert bad.status_code == 200 and Complaint.objects.count() == 0
    ok = client.post("/complaints/r/complaints/new/", {"channel": "12345", "category": "taxi", "content": "拒载", "plate": "豫R·A1234"})
    assert ok.status_code == 302 and Complaint.objects.get().plate == "豫R·A1234"


@time_machine.travel(NOW, tick=False)
def test_import_page_and_api_report_row_numbers_and_export_holds_rows(world, client_for, api_for):
    rows = [("W-1", "12328", "2026-03-01 10:00", "", "13800001111", "公交", "公交甩站", "", "豫R·A1234", "", "3路"),
            ("", "12328", "2026-03-01 10:00", "", "", "公交", "没有工单号", "", "", "", ""),
            ("W-3", "12328", "2026-03-01 11:00", "", "", "公交", "公交司机接打电话", "", "车牌乱写", "", "")]
    page = client_for("officer").post("/complaints/import/", {"file": _named(_sheet(rows)), "default_channel": "12345"})
    text = page.content.decode()
    assert "第 3 行" in text and "工单编号为空" in text and "第 4 行" in text and "车牌号" in text
    assert list(Complaint.objects.values_list("external_id", flat=True)) == ["W-1"]
    rows2 = [("W-5", "", "2026-03-01 09:00", "", "", "", "咨询", "", "", "", ""), ("W-6", "热线X", "2026-03-01 09:00", "", "", "", "x", "", "", "", "")]
    result = api_for("officer").post("/api/v1/complaints/import", {"file": _named(_sheet(rows2)), "default_channel": "12328"}).json()
    assert len(result["created"]) == 1 and result["errors"] == [{"row": 3, "message": "来源渠道“热线X”无法识别"}]
    assert Complaint.objects.get(external_id="W-5").channel == "12328"
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client_for("officer").get("/complaints/r/complaints/?format=xlsx").getvalue()))
    values = [r for r in wb.active.iter_rows(values_only=True)]
    # a caption row (what the file holds, the filters applied) above the header (exports share core.xlsx)
    assert values[0][0].startswith("投诉举报") and values[1][0] == "受理编号" and len(values) == 4


def _named(buf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("orders.xlsx", buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_link_to_unknown_case_is_refused_and_changes_nothing(world):
    c = services.complaint_intake(actor=world.users["officer"], organisation=world.brigade_a, channel="12345", content="内容")
    with pytest.raises(DomainError) as exc:
        services.complaint_update(actor=world.users["officer"], complaint=c, case_number="不存在的案号")
    assert exc.value.code == "unknown_case"
    c.refresh_from_db()
    assert c.case_number == ""
    services.complaint_update(actor=world.users["officer"], complaint=c, inspection_number="JC-2026-001", category="bus")
    c.refresh_from_db()
    assert c.inspection_number == "JC-2026-001" and c.category == "bus"


def test_link_to_existing_case_in_jurisdiction(world):
    from zhifa.cases.tests.factories import lead

    case = lead(world)
    c = services.complaint_intake(actor=world.users["officer"], organisation=world.brigade_a, channel="12328", content="货车超限")
    services.complaint_update(actor=world.users["officer"], complaint=c, case_number=case.number)
    c.refresh_from_db()
    assert c.case_number == case.number
    other = services.complaint_intake(actor=world.users["officer_b"], organisation=world.brigade_b, channel="12328", content="x")
    with pytest.raises(DomainError):  # county B cannot link county A's case
        services.complaint_update(actor=world.users["officer_b"], complaint=other, case_number=case.number)


@time_machine.travel(NOW, tick=False)
def test_import_command_prints_refused_rows_and_exits_1(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "orders.xlsx"
    path.write_bytes(_sheet([("C-1", "", "2026-03-01 09:00", "", "", "", "内容", "", "", "", ""),
                             ("C-2", "", "", "", "", "", "没有时间", "", "", "", "")]).getvalue())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_work_orders", str(path), "--user", "officer", "--channel", "12328", stdout=out, stderr=err)
    assert exc.value.code == 1 and "受理 1 件" in out.getvalue() and "第 3 行" in err.getvalue()
    assert Complaint.objects.get().channel == "12328"


@time_machine.travel(NOW, tick=False)
def test_same_work_order_twice_in_one_sheet_keeps_the_first(world):
    row = ("D-1", "12345", "2026-03-02 08:00", "", "", "", "投诉内容", "", "", "", "")
    result = services.complaint_import_xlsx(actor=world.users["officer"], organisation=world.brigade_a, file=_sheet([row, row, ("D-2", *row[1:])]))
    assert [c.external_id for c in result.created] == ["D-1", "D-2"] and [e[0] for e in result.errors] == [3]
    assert Complaint.objects.count() == 2 and ComplaintStep.objects.filter(complaint__external_id="D-1").count() == 1


def test_complaint_pages_reply_visit_and_reopen(world, client_for):
    c = services.complaint_intake(actor=world.users["officer"], organisation=world.brigade_a, channel="12328", content="拒载")
    client = client_for("officer")
    assert client.post(f"/complaints/c/{c.pk}/visit/", {"satisfaction": "satisfied"}).status_code == 302
    c.refresh_from_db()
    assert c.status == Complaint.Status.RECEIVED  # refused: not yet answered (message shown, nothing changed)
    client.post(f"/complaints/c/{c.pk}/reply/", {"reply": "已处理"})
    client.post(f"/complaints/c/{c.pk}/visit/", {"satisfaction": "dissatisfied", "note": "仍不满意"})
    c.refresh_from_db()
    assert c.status == Complaint.Status.REOPENED and c.reopen_count == 1
    assert "重新办理" in client.get(f"/complaints/r/complaints/{c.pk}/").content.decode()
    assert client_for("officer_b").post(f"/complaints/c/{c.pk}/reply/", {"reply": "x"}).status_code == 404
