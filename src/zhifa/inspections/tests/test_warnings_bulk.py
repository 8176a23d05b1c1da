"""Closing warnings in bulk (issue 18 item 3): a preview of each row, then each warning closed through
services.warning_close, recorded as itself; a row that cannot be closed shows why and does not stop the others."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import services
from zhifa.inspections.models import ProvincialWarning

pytestmark = pytest.mark.django_db


def _warnings(world):
    firm = CompanyFactory(organisation=world.brigade_a)
    rows = [{"external_id": f"HN-YJ-B{i:04d}", "warning_class": 2 if i < 3 else 3, "category": "动态监控超速", "description": "车辆连续超速行驶",
             "occurred_at": "2026-03-05T10:00:00+08:00", "credit_code": firm.credit_code, "plate": "豫R·A1234"} for i in range(5)]
    officer = world.users["officer"]
    services.warning_import(actor=officer, organisation=world.brigade_a, rows=rows, source="api", on=date(2026, 3, 6))
    ws = list(ProvincialWarning.objects.order_by("external_id"))
    for w in ws[:2]:
        services.warning_notify(actor=officer, warning=w, deadline=date(2026, 3, 20), note="整改")
    services.warning_refer(actor=officer, warning=ws[3])
    for w in ws:
        w.refresh_from_db()
    return ws  # 0, 1 notified; 2 received (class 2, not yet notified); 3 referred; 4 received (class 3)


def test_preview_then_each_warning_closed_as_itself(world, client_for):
    ws = _warnings(world)
    client = client_for("officer")
    form = {"ids": [w.pk for w in ws], "result": "已回访，企业已整改到位"}
    events = Event.objects.count()
    page = client.post("/inspections/warnings/bulk/close/", form).content.decode()
    assert "批量办结预警：预览" in page and page.count("办结，处置结果：已回访，企业已整改到位") == 3
    assert page.count("一、二类预警须先通知整改") == 2 and Event.objects.count() == events
    page = client.post("/inspections/warnings/bulk/close/", {**form, "confirm": "1"}).content.decode()
    assert page.count("成功</span>") == 3 and page.count("未办理</span>") == 2
    closed = ProvincialWarning.objects.filter(status=ProvincialWarning.Status.CLOSED)
    assert {w.pk for w in closed} == {ws[0].pk, ws[1].pk, ws[3].pk}
    assert all(w.follow_up_result == "已回访，企业已整改到位" for w in closed)
    new = Event.objects.filter(action="inspections.warning_close")
    assert new.count() == 3 and {e.subject_id for e in new} == {str(ws[0].pk), str(ws[1].pk), str(ws[3].pk)}


def test_without_a_result_or_role_nothing_is_closed(world, client_for):
    ws = _warnings(world)
    page = client_for("officer").post("/inspections/warnings/bulk/close/", {"ids": [ws[0].pk], "confirm": "1"}).content.decode()
    assert "请填写处置结果" in page
    assert client_for("supervisor").post("/inspections/warnings/bulk/close/", {"ids": [ws[0].pk], "result": "x", "confirm": "1"}).status_code == 404
    # Another county's officer does not see the row at all.
    client_for("officer_b").post("/inspections/warnings/bulk/close/", {"ids": [ws[0].pk], "result": "x", "confirm": "1"})
    assert not ProvincialWarning.objects.filter(status=ProvincialWarning.Status.CLOSED).exists()


def test_the_list_offers_closable_rows_and_exports_with_its_filter(world, client_for):
    ws = _warnings(world)
    page = client_for("officer").get("/inspections/warnings/").content.decode()
    assert 'action="/inspections/warnings/bulk/close/"' in page and page.count('name="ids"') == 3
    response = client_for("officer").get("/inspections/warnings/?status=notified&format=xlsx")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert "状态：已通知整改" in rows[0][0]
    assert sorted(r[0] for r in rows[2:]) == [ws[0].external_id, ws[1].external_id]
