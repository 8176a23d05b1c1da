"""REST API of the listing procedure: one endpoint per step, none that lists a party in one request; refusals
answer a stable English code and change nothing."""

from datetime import date

import pytest

from zhifa.core.tests.factories import CompanyFactory
from zhifa.credit.models import DishonestyEntry

pytestmark = pytest.mark.django_db


def test_api_proposes_notifies_and_only_the_head_decides(world, api_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    officer = api_for("officer")
    r = officer.post("/api/v1/credit/dishonesty/", {"party_id": firm.party_id, "category": "overload_vehicle", "reason": "一年内超限运输4次"},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "proposed" and body["listed_on"] is None and "notify" in body["next_actions"]
    entry_id = body["id"]
    r = officer.post(f"/api/v1/credit/dishonesty/{entry_id}/decide", {"list_party": True}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = api_for("head").post(f"/api/v1/credit/dishonesty/{entry_id}/decide", {"list_party": True}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "notice_required"
    assert DishonestyEntry.objects.get(pk=entry_id).status == "proposed"
    r = officer.post(f"/api/v1/credit/dishonesty/{entry_id}/notify", {"on": str(date.today())}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "notified" and r.json()["statement_due_on"]
    r = api_for("head").post(f"/api/v1/credit/dishonesty/{entry_id}/decide", {"list_party": True}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "statement_period_running"
    detail = officer.get(f"/api/v1/credit/dishonesty/{entry_id}").json()
    assert [s["action"] for s in detail["steps"]] == ["propose", "notify"] and detail["source_label"] == "执法人员提出"
    assert api_for("officer_b").get(f"/api/v1/credit/dishonesty/{entry_id}").status_code == 404
    assert len(officer.get("/api/v1/credit/dishonesty/?status=listed").json()["items"]) == 0


def test_api_refuses_unknown_category_and_other_jurisdiction(world, api_for):
    firm = CompanyFactory(organisation=world.brigade_a)
    r = api_for("officer").post("/api/v1/credit/dishonesty/", {"party_id": firm.party_id, "category": "nope", "reason": "x"},
                                content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "unknown_category"
    r = api_for("officer_b").post("/api/v1/credit/dishonesty/", {"party_id": firm.party_id, "category": "overload_vehicle", "reason": "x"},
                                  content_type="application/json")
    assert r.status_code == 404
    assert not DishonestyEntry.objects.exists()
