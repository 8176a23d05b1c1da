"""The API (keyset list, detail, start, transitions, error codes, jurisdiction) and the pages (list filters, the
start form, the measure page with its actions, posting an action)."""

import pytest
from django.utils import timezone

from zhifa.coercion.models import Measure
from zhifa.coercion.workflow import Status

from . import factories as f

pytestmark = pytest.mark.django_db


def scene_json(world, **kw):
    data = {"taken_at": timezone.now().isoformat(), "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk],
            "items": [{"name": "重型货车", "quantity": "1", "unit": "辆"}], "rights_notified": True, "statement": "无异议",
            "scene_record": "出示证件，告知理由依据", "custody_place": "执法大队停车场"}
    data.update(kw)
    return data


def test_api_apply_approve_take_extend_release(world, api_for):
    c = f.case(world)
    f.load_bases()
    officer, head = api_for("officer"), api_for("head")
    r = officer.post("/api/v1/coercion/apply", {"case_id": c.pk, "basis_code": "seize_vehicle_road_damage", "reason": "损坏公路护栏"},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert r.json()["status"] == "applied" and r.json()["case_number"] == c.number
    r = officer.post(f"/api/v1/coercion/{mid}/approve", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert head.post(f"/api/v1/coercion/{mid}/approve", {"opinion": "同意"}, content_type="application/json").status_code == 200
    r = officer.post(f"/api/v1/coercion/{mid}/take", scene_json(world, officer_ids=[world.officers["officer"].pk]), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "too_few_officers"
    r = officer.post(f"/api/v1/coercion/{mid}/take", scene_json(world), content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "in_force" and r.json()["period_state"] == "green"
    r = head.post(f"/api/v1/coercion/{mid}/extend", {"days": 30, "reason": "情况复杂"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "extended"
    r = head.post(f"/api/v1/coercion/{mid}/extend", {"days": 5, "reason": "再延"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    r = head.post(f"/api/v1/coercion/{mid}/release", {"reason": "decided"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "released"
    detail = officer.get(f"/api/v1/coercion/{mid}").json()
    assert detail["items"][0]["name"] == "重型货车" and detail["next_actions"] == [] and len(detail["officer_ids"]) == 2


def test_api_emergency_and_report(world, api_for):
    c = f.case(world)
    f.load_bases()
    officer = api_for("officer")
    r = officer.post("/api/v1/coercion/emergency", {"case_id": c.pk, "basis_code": "seize_vehicle_road_damage", "reason": "欲逃离",
                                                    "scene": scene_json(world)}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "emergency"
    mid = r.json()["id"]
    assert officer.get(f"/api/v1/coercion/{mid}").json()["emergency_report_due"]
    r = officer.post(f"/api/v1/coercion/{mid}/report", {"note": "已报告"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "reported"


def test_api_list_keyset_filters_and_jurisdiction(world, api_for):
    ms = [f.applied(world) for _ in range(3)]
    f.in_force(world)
    client = api_for("officer")
    page1 = client.get("/api/v1/coercion/?limit=2").json()
    page2 = client.get(f"/api/v1/coercion/?limit=2&after={page1['next_cursor']}").json()
    ids = [m["id"] for m in page1["items"] + page2["items"]]
    assert len(ids) == 4 == len(set(ids)) and page2["next_cursor"] is None
    assert [m["id"] for m in client.get("/api/v1/coercion/?status=applied").json()["items"]] == [m.pk for m in ms]
    assert client.get(f"/api/v1/coercion/?case_id={ms[0].case_id}").json()["items"][0]["id"] == ms[0].pk
    other = api_for("officer_b")
    assert other.get("/api/v1/coercion/").json()["items"] == []
    r = other.get(f"/api/v1/coercion/{ms[0].pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = other.post(f"/api/v1/coercion/{ms[0].pk}/approve", {}, content_type="application/json")
    assert r.status_code == 404
    assert [b["code"] for b in client.get("/api/v1/coercion/bases").json()][:1]


def test_list_page_filters_and_links_to_the_case(world, client_for):
    m = f.in_force(world)
    a = f.applied(world)
    page = client_for("officer").get("/coercion/").content.decode()
    assert m.number in page and a.number in page and f"/cases/{m.case_id}/" in page
    page = client_for("officer").get("/coercion/?status=applied").content.decode()
    assert a.number in page and m.number not in page
    page = client_for("officer").get("/coercion/?deadline=green").content.decode()
    assert m.number in page and a.number not in page
    page = client_for("officer").get(f"/coercion/?case={a.case_id}", HTTP_HX_REQUEST="true").content.decode()
    assert a.number in page and m.number not in page and "<h1>" not in page
    assert m.number not in client_for("officer_b").get("/coercion/").content.decode()
    assert client_for("officer_b").get(f"/coercion/{m.pk}/").status_code == 404


def test_detail_shows_only_allowed_actions_and_posting_one_works(world, client_for):
    m = f.applied(world)
    officer_page = client_for("officer").get(f"/coercion/{m.pk}/").content.decode()
    assert "批准实施" not in officer_page and "当前状态下您没有可办理的事项" in officer_page
    head = client_for("head")
    assert "批准实施" in head.get(f"/coercion/{m.pk}/").content.decode()
    r = head.post(f"/coercion/{m.pk}/act/approve/", {"approve-opinion": "同意"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.APPROVED
    r = client_for("officer").post(f"/coercion/{m.pk}/act/take/", {"take-taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                                                    "take-officers": [world.officers["officer"].pk], "take-items": "货车，1，辆"},
                                   follow=True)
    assert "须由两名以上" in r.content.decode()
    m.refresh_from_db()
    assert m.status == Status.APPROVED


def test_start_page_emergency(world, client_for):
    c = f.case(world)
    basis = f.basis()
    client = client_for("officer")
    assert c.number in client.get(f"/coercion/new/?case={c.pk}").content.decode()
    data = {"case": c.pk, "mode": "emergency", "basis": basis.pk, "reason": "当事人欲驾车离开", "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "officers": [world.officers["officer"].pk, world.officers["officer2"].pk], "party_present": "on", "rights_notified": "on",
            "statement": "无异议", "scene_record": "出示证件，当场告知", "record_signed": "on", "items": "重型货车，1，辆，黄牌\n行驶证，1，本",
            "custody_place": "执法大队停车场"}
    r = client.post("/coercion/new/", data)
    m = Measure.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/coercion/{m.pk}/"
    assert m.status == Status.EMERGENCY and m.items.count() == 2
    assert client_for("head").get("/coercion/new/").status_code == 200  # head also holds the officer role
    assert client_for("supervisor").get("/coercion/new/").status_code == 404
