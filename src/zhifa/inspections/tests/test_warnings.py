"""Warnings (预警抄告, seed 000): import by API and file, class 1/2 → rectification notice, class 3 → a case lead,
tracked to closure; the received/closed counts tie out exactly with the records."""

import io
import json
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import selectors, services
from zhifa.inspections.models import Lead, ProvincialWarning

pytestmark = pytest.mark.django_db


def _rows(n, start=0, firm=None):
    return [{"external_id": f"HN-YJ-{start + i:05d}", "warning_class": (i % 3) + 1, "category": "动态监控超速",
             "description": "车辆连续超速行驶", "occurred_at": "2026-03-05T10:00:00+08:00",
             "credit_code": firm.credit_code if firm else "", "plate": "豫R·A1234"} for i in range(n)]


def test_api_import_is_idempotent(world, api_for):
    client = api_for("officer")
    firm = CompanyFactory(organisation=world.brigade_a)
    body = {"warnings": _rows(6, firm=firm)}
    r = client.post("/api/v1/inspections/warnings/import", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 200 and r.json()["created"] == 6
    r = client.post("/api/v1/inspections/warnings/import", data=json.dumps(body), content_type="application/json")
    assert r.json() == {"created": 0, "skipped": 6, "errors": []}
    assert ProvincialWarning.objects.filter(party=firm.party).count() == 6
    # Each warning about a firm is a credit event.
    assert firm.party.credit_events.filter(kind="warning").count() == 6


def test_file_import(world, tmp_path):
    path = tmp_path / "warnings.json"
    path.write_text(json.dumps(_rows(3, start=100)), encoding="utf-8")
    out = io.StringIO()
    call_command("inspections", "import-warnings", str(path), "--org", world.brigade_a.code, stdout=out)
    assert "新增 3 条" in out.getvalue()
    csv_path = tmp_path / "warnings.csv"
    csv_path.write_text("external_id,warning_class,category,description,occurred_at\nHN-1,2,疲劳驾驶,连续驾驶超4小时,2026-03-01 08:00:00\n", encoding="utf-8")
    call_command("inspections", "import-warnings", str(csv_path), "--org", world.brigade_a.code, stdout=out)
    assert ProvincialWarning.objects.get(external_id="HN-1").warning_class == 2


def test_seed000_class1_2_rectify_class3_case_and_counts_tie_out(world):
    officer = world.users["officer"]
    firm = CompanyFactory(organisation=world.brigade_a)
    services.warning_import(actor=officer, organisation=world.brigade_a, rows=_rows(9, firm=firm), source="api", on=date(2026, 3, 10))
    warnings = list(ProvincialWarning.objects.order_by("external_id"))
    for w in warnings:
        if w.warning_class == 3:
            with pytest.raises(DomainError):
                services.warning_notify(actor=officer, warning=w, deadline=date(2026, 3, 20), note="整改")
            lead = services.warning_refer(actor=officer, warning=w)
            assert lead.status == Lead.Status.REGISTERED and lead.case_ref  # handed to cases.lead_register
        else:
            before = Event.objects.count()
            with pytest.raises(DomainError):
                services.warning_refer(actor=officer, warning=w)
            assert Event.objects.count() == before
            services.warning_notify(actor=officer, warning=w, deadline=date(2026, 3, 20), note="责令企业对超速车辆驾驶员进行教育并整改")
    # Close six of nine: four in March, two in April.
    for i, w in enumerate(warnings[:6]):
        w.refresh_from_db()
        services.warning_close(actor=officer, warning=w, result="回访核实已整改" if w.warning_class < 3 else "已立案查处",
                               on=date(2026, 3, 25) if i < 4 else date(2026, 4, 2))
    counts = selectors.warning_counts(officer, 2026)
    qs = ProvincialWarning.objects.all()
    for cls in (1, 2, 3):
        assert counts["totals"][cls]["received"] == qs.filter(warning_class=cls, received_on__year=2026).count()
        assert counts["totals"][cls]["closed"] == qs.filter(warning_class=cls, closed_on__year=2026).count()
    assert counts["grand"] == {"received": 9, "closed": 6}
    assert sum(counts["months"][3][c]["closed"] for c in (1, 2, 3)) == 4
    assert sum(counts["months"][4][c]["closed"] for c in (1, 2, 3)) == 2
    assert counts["open"] == 3 == qs.exclude(status="closed").count()
    assert counts["all_time"] == {"received": qs.count(), "closed": qs.filter(closed_on__isnull=False).count()}
    # Another county sees none of them.
    assert selectors.warning_counts(world.users["officer_b"], 2026)["grand"] == {"received": 0, "closed": 0}


def test_dashboard_widget_ties_out(world, client_for):
    officer = world.users["officer"]
    services.warning_import(actor=officer, organisation=world.brigade_a, rows=_rows(5), source="api", on=date.today())
    w = ProvincialWarning.objects.filter(warning_class=1).first()
    services.warning_notify(actor=officer, warning=w, deadline=date.today() + timedelta(days=5), note="整改")
    services.warning_close(actor=officer, warning=w, result="已整改")
    from django.test import RequestFactory

    from zhifa.inspections.dashboard import widgets

    req = RequestFactory().get("/")
    req.user = officer
    widget = next(x for x in widgets(req) if x["title"].startswith("预警抄告"))
    assert widget["stat"] == "接收 5 / 办结 1"
    assert client_for("officer").get("/inspections/warnings/").status_code == 200


def test_invalid_rows_reported(world):
    bad = [{"external_id": "X1", "warning_class": 5, "category": "c", "description": "d", "occurred_at": datetime.now().isoformat()},
           {"external_id": "", "warning_class": 1}]
    result = services.warning_import(actor=world.users["officer"], organisation=world.brigade_a, rows=bad, source="file")
    assert result["created"] == 0 and len(result["errors"]) == 2


def test_warning_actions_through_ui(world, client_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    services.warning_import(actor=world.users["officer"], organisation=world.brigade_a, rows=_rows(3, firm=firm), source="api")
    c = client_for("officer")
    w1 = ProvincialWarning.objects.get(warning_class=1)
    w3 = ProvincialWarning.objects.get(warning_class=3)
    c.post(f"/inspections/warnings/{w1.pk}/", {"action": "notify", "deadline": (date.today() + timedelta(days=7)).isoformat(), "note": "限期整改"})
    c.post(f"/inspections/warnings/{w1.pk}/", {"action": "close", "result": "回访已整改"})
    c.post(f"/inspections/warnings/{w3.pk}/", {"action": "refer"})
    w1.refresh_from_db()
    w3.refresh_from_db()
    assert w1.status == ProvincialWarning.Status.CLOSED and w3.status == ProvincialWarning.Status.REFERRED
    assert "已移交案件办理" in c.get("/inspections/leads/").content.decode()
    assert client_for("officer_b").get(f"/inspections/warnings/{w1.pk}/").status_code == 404
    upload = io.BytesIO(json.dumps(_rows(2, start=500)).encode())
    upload.name = "yj.json"
    c.post("/inspections/warnings/", {"file": upload})
    assert ProvincialWarning.objects.count() == 5
