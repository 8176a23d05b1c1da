"""Work orders assigned in bulk (issue 18 item 3): a preview of each row, then each order through
services.complaint_assign, recorded and notified as itself; a row that cannot be assigned shows why."""

import pytest

from zhifa.complaints import services
from zhifa.complaints.models import Complaint
from zhifa.core.models import Event

pytestmark = pytest.mark.django_db


def _orders(world, n=3):
    head = world.users["head"]
    orders = [services.complaint_intake(actor=head, organisation=world.county_a, channel="12345", content=f"出租车拒载{i}") for i in range(n)]
    services.complaint_reply(actor=head, complaint=orders[-1], reply="已核实并答复。")  # no longer assignable
    return orders


def test_preview_then_each_order_assigned_as_itself(world, client_for):
    orders = _orders(world)
    officer = world.officers["officer2"]
    client = client_for("head")
    page = client.get("/complaints/bulk/assign/").content.decode()
    assert page.count('name="ids"') == 2  # the replied order is not offered
    form = {"ids": [c.pk for c in orders], "unit": world.brigade_a.pk, "officer": officer.pk, "note": "请核查后答复"}
    events = Event.objects.count()
    page = client.post("/complaints/bulk/assign/", form).content.decode()
    assert "批量分派工单：预览" in page and page.count(f"分派至 {world.brigade_a}（{officer.name}）") == 2 and "不能分派" in page
    assert Event.objects.count() == events
    page = client.post("/complaints/bulk/assign/", {**form, "confirm": "1"}).content.decode()
    assert page.count("成功</span>") == 2 and page.count("未办理</span>") == 1
    assigned = Complaint.objects.filter(assigned_officer=officer, organisation=world.brigade_a)
    assert set(assigned.values_list("pk", flat=True)) == {orders[0].pk, orders[1].pk}
    acts = Event.objects.filter(action="complaint.assign", subject_id__in=[str(orders[0].pk), str(orders[1].pk)])
    assert acts.count() == 2


def test_without_a_unit_or_outside_the_jurisdiction_nothing_is_assigned(world, client_for):
    orders = _orders(world, n=2)
    page = client_for("head").post("/complaints/bulk/assign/", {"ids": [orders[0].pk], "confirm": "1"}).content.decode()
    assert "未办理</span>" in page
    # A unit of another county: the service refuses that row (jurisdiction), the page says why.
    page = client_for("head").post("/complaints/bulk/assign/", {"ids": [orders[0].pk], "unit": world.brigade_b.pk, "confirm": "1"}).content.decode()
    assert "未办理</span>" in page
    assert client_for("supervisor").get("/complaints/bulk/assign/").status_code == 404
    assert not Complaint.objects.filter(pk=orders[0].pk, status=Complaint.Status.ASSIGNED, assigned_officer__isnull=False).exists()
    assert Complaint.objects.get(pk=orders[0].pk).organisation == world.county_a
