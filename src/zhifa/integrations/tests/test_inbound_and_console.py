"""A work order pushed by 12345 → a complaint routed and acknowledged once, the reply pushed back through the
outbox; the console (counts, reasons, export, roles); the dashboard card; the daily reconciliation."""

import io

import openpyxl
import pytest
from django.utils import timezone

from zhifa.cases.tests.factories import decided, person
from zhifa.complaints import services as complaint_services
from zhifa.complaints.models import Complaint
from zhifa.core.models import Event
from zhifa.integrations import outbox, services
from zhifa.integrations.models import Message, Reconciliation

URL = "/api/v1/integrations/hotline/work-orders"
ORDER = {"channel": "12345", "work_order_id": "GD20261205000123", "content": "出租车司机拒载，车牌豫R·T1234，在火车站。",
         "category": "taxi", "complainant_name": "张先生", "complainant_phone": "13800000000", "place": "南召县火车站"}


@pytest.mark.django_db
def test_work_order_pushed_is_routed_once_and_the_reply_goes_back(world, simulator, api_for):
    api = api_for("officer")
    first = api.post(URL, ORDER, content_type="application/json")
    assert first.status_code == 201, first.content
    ack = first.json()
    assert ack["result"] == "accepted" and ack["reference"].startswith("TS")
    again = api.post(URL, ORDER, content_type="application/json")
    assert again.status_code == 200 and again.json() == {**ack, "result": "duplicate"}
    complaint = Complaint.objects.get(external_id=ORDER["work_order_id"])
    assert Complaint.objects.count() == 1 and complaint.channel == "12345" and complaint.category == "taxi"
    complaint_services.complaint_reply(actor=world.users["officer"], complaint=complaint, reply="经核查，已对驾驶员批评教育并责令整改。")
    outbox.drain_all()
    got = simulator.accepted("hotline")
    assert len(got) == 1
    assert got[0]["payload"]["work_order_id"] == ORDER["work_order_id"] and "批评教育" in got[0]["payload"]["reply"]
    assert Message.objects.get(target="hotline").status == Message.Status.ACKNOWLEDGED


@pytest.mark.django_db
def test_work_order_refusals_change_nothing(world, api_for):
    api = api_for("officer")
    events = Event.objects.count()
    bad = api.post(URL, {**ORDER, "channel": "petition"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_channel"
    empty = api.post(URL, {**ORDER, "work_order_id": "  "}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "invalid_work_order_id"
    assert Complaint.objects.count() == 0 and Event.objects.count() == events


@pytest.mark.django_db
def test_work_order_of_another_county_is_not_revealed(world, api_for):
    api_for("officer").post(URL, ORDER, content_type="application/json")
    other = api_for("officer_b").post(URL, ORDER, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "duplicate_work_order"
    assert "reference" not in other.json() and Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_walk_in_complaint_reply_is_not_pushed(world, fast_outbox):
    c = complaint_services.complaint_intake(actor=world.users["officer"], organisation=world.brigade_a, channel="walk_in",
                                            content="投诉内容")
    complaint_services.complaint_reply(actor=world.users["officer"], complaint=c, reply="已答复")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_console_counts_and_export_for_supervisor_only(world, simulator, client_for):
    simulator.script({"target": "supervision", "mode": "reject", "reason": "违法行为编码不在省平台目录中"})
    case = decided(world)
    outbox.drain_all()
    page = client_for("supervisor").get("/integrations/")
    text = page.content.decode()
    assert page.status_code == 200 and "按日统计" in text and "行政执法监督平台" in text
    assert "违法行为编码不在省平台目录中" in text and case.number in text
    m = Message.objects.get(target="supervision")
    detail = client_for("supervisor").get(f"/integrations/m/{m.pk}/").content.decode()
    assert "重新发送" in detail and "接收方退回" in detail
    export = client_for("supervisor").get("/integrations/export/?status=rejected")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "违法行为编码不在省平台目录中" in values and "接口报送记录" in str(values[0])
    assert client_for("officer").get("/integrations/").status_code == 404  # role-limited pages do not exist for others
    assert client_for("officer").get(f"/integrations/m/{m.pk}/").status_code == 404


@pytest.mark.django_db
def test_resend_button_and_dashboard_card(world, simulator, client_for):
    simulator.script({"target": "supervision", "mode": "reject", "reason": "模拟退回", "times": 1})
    decided(world)
    outbox.drain_all()
    m = Message.objects.get(target="supervision")
    home = client_for("admin").get("/").content.decode()
    assert "接口报送异常" in home
    resp = client_for("admin").post(f"/integrations/m/{m.pk}/resend/", follow=True)
    assert "已重新发送" in resp.content.decode()
    outbox.drain_all()
    m.refresh_from_db()
    assert m.status == Message.Status.ACKNOWLEDGED and m.resend_count == 1


@pytest.mark.django_db
def test_reconciliation_lists_what_was_not_acknowledged(world, simulator, client_for):
    party = person(world, address="")
    rejected = decided(world, party=party)
    accepted = decided(world)
    outbox.drain_all()
    today = timezone.localdate()
    rows = {r.target: r for r in services.reconcile(day=today)}
    sup = rows["supervision"]
    assert sup.expected == 2 and sup.acknowledged == 1
    assert [d["subject"] for d in sup.differences] == [str(rejected)]
    assert "缺少当事人住所" in sup.differences[0]["problem"] and str(accepted) not in str(sup.differences)
    # Idempotent: the day's row is replaced, not added.
    services.reconcile(day=today)
    assert Reconciliation.objects.filter(target="supervision", day=today).count() == 1
    page = client_for("supervisor").get(f"/integrations/reconciliations/{sup.pk}/").content.decode()
    assert "缺少当事人住所" in page and "应报送 2 项" in page


@pytest.mark.django_db
def test_demo_delivers_with_a_few_rejections_to_resolve(world, fast_outbox):
    import random

    from zhifa.core.demo import DemoContext
    from zhifa.integrations import demo

    fast_outbox.INTEGRATION_SIMULATOR_URL = ""
    # The simulator answers on a thread of this process: the fixture's 0.5 s timeout (for the tests of a
    # receiver that does not answer) left two messages pending when the whole suite loaded both cores
    # (PostgreSQL, 2026-12-06).
    fast_outbox.INTEGRATION_TIMEOUT = 15
    for _ in range(3):
        decided(world)
    ctx = DemoContext(rng=random.Random(1), today=timezone.localdate(), scale=1)
    demo.load(ctx)
    statuses = list(Message.objects.filter(target="supervision").order_by("pk").values_list("status", flat=True))
    assert statuses == ["rejected", "rejected", "acknowledged"]
    assert "被退回 2 条" in ctx.notes[-1] and fast_outbox.INTEGRATION_SIMULATOR_URL == ""
    assert Reconciliation.objects.filter(target="supervision", day=ctx.today).exists()


@pytest.mark.django_db
def test_reconciliation_of_another_county_is_not_revealed(world, simulator, client_for):
    """Regression: every console user saw every county's differences (case numbers, party names). A supervisor of
    方城 sees 南召's differences neither in the list nor on the day's page; the city still sees them."""
    from zhifa.core.roles import Role
    from zhifa.core.tests.factories import UserFactory
    from zhifa.integrations import selectors

    rejected = decided(world, party=person(world, name="南召当事人甲", address=""))  # 南召 (world.brigade_a)
    outbox.drain_all()
    sup = {r.target: r for r in services.reconcile(day=timezone.localdate())}["supervision"]
    assert str(rejected) in str(sup.differences)
    county_b_sup = world.users["sup_b"] = UserFactory(username="sup_b", organisation=world.county_b, roles=[Role.SUPERVISOR])
    rows = {r.pk: r for r in selectors.reconciliations_for(county_b_sup)}
    assert rows[sup.pk].differences == []
    # the totals too are the county's own (they were the city's whole: 应报送 1 for a county that reported nothing)
    assert (rows[sup.pk].expected, rows[sup.pk].acknowledged) == (0, 0)
    city = {r.pk: r for r in selectors.reconciliations_for(world.users["supervisor"])}[sup.pk]
    assert (city.expected, city.acknowledged) == (sup.expected, sup.acknowledged) == (1, 0)
    assert selectors.reconciliation_get(county_b_sup, sup.pk).differences == []
    page = client_for("sup_b").get(f"/integrations/reconciliations/{sup.pk}/").content.decode()
    assert str(rejected) not in page and "南召当事人甲" not in page
    assert str(rejected) in str(selectors.reconciliation_get(world.users["supervisor"], sup.pk).differences)
    assert str(rejected) in client_for("supervisor").get(f"/integrations/reconciliations/{sup.pk}/").content.decode()
