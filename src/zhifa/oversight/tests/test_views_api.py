"""Pages, forms, XLSX export and the API of internal oversight, with jurisdiction (another unit's object is 404)."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from zhifa.oversight import loader
from zhifa.oversight.models import Power, Problem

from .factories import drawn_round
from .factories import problem as make_problem

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))


@pytest.mark.parametrize("url", ["/oversight/problems/", "/oversight/ledger/", "/oversight/evaluation/", "/oversight/records/",
                                 "/oversight/powers/", "/oversight/problems/new/", "/oversight/evaluation/new/", "/oversight/records/new/",
                                 "/oversight/powers/new/", "/"])
def test_pages_render(world, client_for, url):
    make_problem(world)
    assert client_for("supervisor").get(url).status_code == 200


def test_login_required(world, client):
    assert client.get("/oversight/problems/").status_code == 302


def test_problem_form_validation_and_create(world, client_for):
    c = client_for("officer")
    bad = c.post("/oversight/problems/new/", {"organisation": world.brigade_a.pk, "source": "hotline", "category": "service", "title": "态度生硬",
                                              "found_on": "2026-05-10", "measures": "教育", "deadline": "2026-05-01", "owner": world.users["officer"].pk})
    assert bad.status_code == 200 and "整改时限不能早于发现日期" in bad.content.decode() and not Problem.objects.exists()
    ok = c.post("/oversight/problems/new/", {"organisation": world.brigade_a.pk, "source": "hotline", "category": "service", "title": "态度生硬",
                                             "found_on": "2026-05-10", "measures": "教育", "deadline": "2026-06-10", "owner": world.users["officer"].pk})
    p = Problem.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/oversight/problems/{p.pk}/"


def test_problem_detail_actions_and_recheck_by_post(world, client_for):
    p = make_problem(world)
    body = client_for("officer").get(f"/oversight/problems/{p.pk}/").content.decode()
    assert 'value="report"' in body and 'value="recheck_pass"' not in body
    client_for("officer").post(f"/oversight/problems/{p.pk}/act/", {"action": "report", "note": "已整改"})
    assert 'value="recheck_pass"' not in client_for("officer").get(f"/oversight/problems/{p.pk}/").content.decode()
    assert 'value="recheck_pass"' in client_for("supervisor").get(f"/oversight/problems/{p.pk}/").content.decode()
    client_for("supervisor").post(f"/oversight/problems/{p.pk}/act/", {"action": "recheck_pass", "note": "回头看到位"})
    p.refresh_from_db()
    assert p.status == Problem.Status.CLOSED


def test_other_county_gets_404(world, client_for, api_for):
    p = make_problem(world)
    assert client_for("officer_b").get(f"/oversight/problems/{p.pk}/").status_code == 404
    r = api_for("officer_b").get(f"/api/v1/oversight/problems/{p.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_problem_list_filters_and_xlsx_export(world, client_for):
    old = make_problem(world, found_on=date.today() - timedelta(days=60), deadline=date.today() - timedelta(days=5))
    make_problem(world)
    c = client_for("supervisor")
    page = c.get("/oversight/problems/", {"overdue": "1"})
    assert page.context["page"].paginator.count == 1
    rows = _sheet(c.get("/oversight/problems/", {"overdue": "1", "export": "xlsx"}))
    assert rows[0][0].startswith("问题清单") and rows[1][0] == "编号" and rows[2][0] == old.number and len(rows) == 3


def test_rectification_table_page_and_export(world, client_for):
    from decimal import Decimal

    from zhifa.oversight import services

    rnd = drawn_round(world)
    ev = rnd.evaluations.first()
    services.evaluation_score(actor=world.users["supervisor"], evaluation=ev, owner=world.users["officer"],
                              deductions=[services.DeductionIn(item=rnd.standard.items.get(code="D1"), points=Decimal("4"), finding="未引用到具体条款项")])
    c = client_for("supervisor")
    assert "未引用到具体条款项" in c.get(f"/oversight/evaluation/{rnd.pk}/rectification/").content.decode()
    rows = _sheet(c.get(f"/oversight/evaluation/{rnd.pk}/rectification/", {"export": "xlsx"}))
    assert rows[1][:3] == ("序号", "案号", "评查项目") and rows[2][1] == ev.record.number and rows[2][8] == world.users["officer"].display_name


def test_scoring_form_refuses_handling_officer(world, client_for):
    rnd = drawn_round(world, officers=[world.officers["head"], world.officers["officer"]])
    ev = rnd.evaluations.first()
    r = client_for("head").post(f"/oversight/evaluation/files/{ev.pk}/", {"comment": "好"})
    assert "不能评查本人承办的案卷" in r.content.decode()
    ev.refresh_from_db()
    assert ev.scored_at is None


def test_round_draw_by_form_records_seed(world, client_for):
    from .factories import CaseRecordFactory, standard

    standard()
    for _ in range(4):
        CaseRecordFactory(officers=[world.officers["officer"]])
    c = client_for("supervisor")
    r = c.post("/oversight/evaluation/new/", {"organisation": world.city.pk, "name": "测试评查", "period_from": "2026-01-01",
                                              "period_to": "2026-12-31", "sample_size": 2})
    assert r.status_code == 302
    c.post(r["Location"], {"op": "draw", "seed": "fixed-seed"})
    body = c.get(r["Location"]).content.decode()
    assert "fixed-seed" in body and "按种子复核抽取结果一致" in body


def test_api_problem_lifecycle_with_keyset(world, api_for):
    c = api_for("supervisor")
    for n in range(3):
        r = c.post("/api/v1/oversight/problems/", {"organisation_id": world.brigade_a.pk, "source": "media", "category": "conduct",
                                                   "title": f"舆情{n}", "measures": "调查核实", "deadline": "2027-01-31",
                                                   "owner_id": world.users["officer"].pk}, content_type="application/json")
        assert r.status_code == 201, r.content
    page = c.get("/api/v1/oversight/problems/", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = c.get("/api/v1/oversight/problems/", {"limit": 2, "after": page["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    pid = page["items"][0]["id"]
    r = c.post(f"/api/v1/oversight/problems/{pid}/transition", {"action": "recheck_pass", "note": "x"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    r = api_for("officer").post(f"/api/v1/oversight/problems/{pid}/transition", {"action": "report", "note": "已整改"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "rectified"
    r = c.post(f"/api/v1/oversight/problems/{pid}/listing", {"reason": "media", "requirement": "立行立改", "due_on": "2027-01-31"},
               content_type="application/json")
    assert r.status_code == 201
    assert c.get("/api/v1/oversight/listings/").json()["items"][0]["problem_id"] == pid


def test_api_power_patch_and_cancel(world, api_for):
    loader.load_powers(actor=world.users["admin"], bureau=world.county_a, brigade=world.brigade_a, reason="梳理")
    power = Power.objects.get(organisation=world.county_a, code="CF-001")
    c = api_for("head")
    r = c.patch(f"/api/v1/oversight/powers/{power.pk}", {"reason": "法规修改", "time_limit": "九十日"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2
    assert api_for("officer").post(f"/api/v1/oversight/powers/{power.pk}/cancel", {"reason": "x"}, content_type="application/json").status_code == 403
    assert c.get("/api/v1/oversight/powers/", {"kind": "penalty", "limit": 200}).json()["items"][0]["kind"] == "penalty"


def test_api_evaluation_score(world, api_for):
    rnd = drawn_round(world)
    ev = rnd.evaluations.first()
    item = rnd.standard.items.get(code="C6")
    r = api_for("reviewer").post(f"/api/v1/oversight/evaluations/{ev.pk}/score",
                                 {"deductions": [{"item_id": item.pk, "points": "2", "finding": "送达回证无签名"}], "owner_id": world.users["officer"].pk},
                                 content_type="application/json")
    assert r.status_code == 200, r.content
    assert float(r.json()["score"]) == 98.0 and r.json()["grade"] == "excellent"


def test_api_case_record_register_and_list(world, api_for):
    c = api_for("officer")
    payload = {"organisation_id": world.brigade_a.pk, "number": "豫R召交罚〔2025〕0001号", "title": "车辆违法超限运输", "closed_on": "2025-12-01",
               "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk]}
    r = c.post("/api/v1/oversight/records/", payload, content_type="application/json")
    assert r.status_code == 201 and sorted(r.json()["handling_officer_ids"]) == sorted(payload["officer_ids"])
    bad = c.post("/api/v1/oversight/records/", {**payload, "number": "X2", "officer_ids": [world.officers["officer_b"].pk]}, content_type="application/json")
    assert bad.status_code == 404
    assert [x["number"] for x in c.get("/api/v1/oversight/records/").json()["items"]] == [payload["number"]]
    assert api_for("officer_b").get("/api/v1/oversight/records/").json()["items"] == []


def test_scoring_by_form_creates_problems(world, client_for):
    rnd = drawn_round(world)
    ev = rnd.evaluations.first()
    b1, v2 = rnd.standard.items.get(code="B1"), rnd.standard.items.get(code="V2")
    r = client_for("reviewer").post(f"/oversight/evaluation/files/{ev.pk}/", {
        f"hit_{b1.pk}": "1", f"points_{b1.pk}": "5", f"finding_{b1.pk}": "证据不能相互印证",
        f"hit_{v2.pk}": "1", f"finding_{v2.pk}": "现场检查仅一名执法人员", "owner": world.users["officer"].pk, "comment": "不合格"})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.vetoed and ev.grade == "fail" and ev.score == 95 and ev.problems.count() == 2


def test_problem_edit_form(world, client_for):
    p = make_problem(world)
    r = client_for("officer").post(f"/oversight/problems/{p.pk}/edit/", {"category": "conduct", "title": "新的概述", "description": "",
                                                                         "source_ref": "", "measures": "新的措施", "owner": world.users["officer2"].pk})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.title, p.measures, p.owner) == ("新的概述", "新的措施", world.users["officer2"])


def test_problem_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    for n in range(25):
        make_problem(world, owner="officer" if n % 2 else "officer2")
    c = client_for("supervisor")
    with django_assert_max_num_queries(20):
        assert c.get("/oversight/problems/").status_code == 200


@pytest.mark.parametrize("model", ["problem", "supervisionlisting", "power", "caserecord", "evaluationround", "caseevaluation", "evaluationstandard"])
def test_admin_changelists(world, client, model):
    from zhifa.core.tests.factories import UserFactory

    make_problem(world)
    client.force_login(UserFactory(username="root", organisation=None, is_staff=True, is_superuser=True))
    assert client.get(f"/admin/oversight/{model}/").status_code == 200


def test_admin_read_only_detail_pages(world, client):
    from zhifa.core.tests.factories import UserFactory

    p = make_problem(world)
    loader.load_powers(actor=world.users["admin"], bureau=world.county_a, brigade=None, reason="梳理")
    client.force_login(UserFactory(username="root", organisation=None, is_staff=True, is_superuser=True))
    assert client.get(f"/admin/oversight/problem/{p.pk}/change/").status_code == 200
    assert client.get(f"/admin/oversight/power/{Power.objects.first().pk}/change/").status_code == 200
