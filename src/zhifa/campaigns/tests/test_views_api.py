"""Pages and API of the operations register: filters, jurisdiction (another county's operation is a 404), the
workflow through the UI, keyset paging and create through the API."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.campaigns.models import Department, Material, Operation
from zhifa.cases.tests import factories as case_factories

from .factories import concluded, department, operation, started


def test_list_filters_by_kind_period_and_unit(world, client_for):
    joint = operation(world, starts_on=date(2024, 3, 1), title="三月联合治理")
    pub = operation(world, kind=Operation.Kind.PUBLICITY, starts_on=date(2024, 9, 1), title="九月宣传")
    client = client_for("head")
    html = client.get("/campaigns/").content.decode()
    assert joint.number in html and pub.number in html
    html = client.get("/campaigns/?kind=publicity").content.decode()
    assert pub.number in html and joint.number not in html
    html = client.get("/campaigns/?start=2024-08-01&end=2024-12-31").content.decode()
    assert pub.number in html and joint.number not in html
    html = client.get(f"/campaigns/?unit={world.county_b.code}").content.decode()
    assert "没有符合条件" in html
    partial = client.get("/campaigns/?kind=joint", HTTP_HX_REQUEST="true").content.decode()
    assert joint.number in partial and "<html" not in partial
    xlsx = client.get("/campaigns/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_other_county_sees_nothing(world, client_for, api_for):
    op = operation(world)
    assert op.number not in client_for("officer_b").get("/campaigns/").content.decode()
    assert client_for("officer_b").get(f"/campaigns/{op.pk}/").status_code == 404
    assert api_for("officer_b").get(f"/api/v1/campaigns/operations/{op.pk}").status_code == 404
    assert client_for("supervisor").get(f"/campaigns/{op.pk}/").status_code == 200  # the city sees its counties


def test_create_start_conclude_through_the_pages(world, client_for):
    police = department(world)
    client = client_for("officer")
    start = timezone.localdate() - timedelta(days=3)
    response = client.post("/campaigns/new/", {
        "kind": "joint", "organisation": world.brigade_a.pk, "title": "客运站周边联合整治", "starts_on": start.isoformat(),
        "ends_on": start.isoformat(), "location": "汽车站", "partners": [police.pk],
        "officers": [world.officers["officer"].pk, world.officers["officer2"].pk]})
    assert response.status_code == 302, response.content.decode()[-2000:]
    op = Operation.objects.get(title="客运站周边联合整治")
    client.post(f"/campaigns/{op.pk}/start/")
    case = case_factories.opened(world, days_ago=1)
    client.post(f"/campaigns/{op.pk}/link/", {"case_number": case.number})
    client.post(f"/campaigns/{op.pk}/conclude/", {"ends_on": start.isoformat(), "summary": "查处非法营运", "vehicles_checked": 40,
                                                  "enterprises_checked": 0, "problems_found": 5, "problems_rectified": 5})
    op.refresh_from_db()
    assert (op.status, op.vehicles_checked, op.cases.count()) == ("concluded", 40, 1)
    html = client.get(f"/campaigns/{op.pk}/").content.decode()
    assert case.number in html and "查处非法营运" in html and "计划 → 进行中" in html and "进行中 → 已结束" in html


def test_refused_action_shows_the_reason(world, client_for):
    op = operation(world)
    response = client_for("officer").post(f"/campaigns/{op.pk}/conclude/", {"ends_on": op.ends_on.isoformat(), "summary": "x"}, follow=True)
    assert "不能执行此操作" in response.content.decode()
    op.refresh_from_db()
    assert op.status == "planned"
    assert client_for("officer").post(f"/campaigns/{op.pk}/cancel/", {"reason": "x"}, follow=True).status_code == 200
    op.refresh_from_db()
    assert op.status == "planned"  # officers may not cancel


def test_supervisor_reads_but_cannot_create(world, client_for):
    assert client_for("supervisor").get("/campaigns/new/").status_code == 404
    assert client_for("supervisor").get("/campaigns/").status_code == 200


def test_publicity_conclude_form_records_materials(world, client_for):
    op = started(world, kind=Operation.Kind.PUBLICITY, title="路政宣传月")
    client_for("officer").post(f"/campaigns/{op.pk}/conclude/", {"ends_on": op.ends_on.isoformat(), "summary": "发放资料", "audience": 300,
                                                                 "m_leaflet": 200, "m_goods": 80, "m_banner": 2})
    assert dict(Material.objects.filter(operation=op).values_list("kind", "quantity")) == {"leaflet": 200, "goods": 80, "banner": 2}


def test_department_catalogue_page(world, client_for):
    client = client_for("head")
    client.post("/campaigns/departments/", {"name": "皇后乡人民政府", "kind": "township"})
    dept = Department.objects.get(name="皇后乡人民政府")
    assert dept.organisation == world.county_a
    assert "皇后乡人民政府" in client.get("/campaigns/departments/").content.decode()
    assert "皇后乡人民政府" not in client_for("officer_b").get("/campaigns/departments/").content.decode()
    assert client_for("officer").post("/campaigns/departments/", {"name": "x", "kind": "other"}).status_code == 404


def test_api_list_is_keyset_paged_and_filtered(world, api_for):
    ops = [operation(world, starts_on=date(2024, 1, 1) + timedelta(days=30 * i), title=f"行动{i}") for i in range(5)]
    api = api_for("head")
    first = api.get("/api/v1/campaigns/operations/?limit=2").json()
    assert [r["id"] for r in first["items"]] == [ops[0].pk, ops[1].pk] and first["next_cursor"] == ops[1].pk
    rest = api.get(f"/api/v1/campaigns/operations/?limit=10&after={first['next_cursor']}").json()
    assert [r["id"] for r in rest["items"]] == [o.pk for o in ops[2:]] and rest["next_cursor"] is None
    period = api.get("/api/v1/campaigns/operations/?start=2024-02-15&end=2024-03-30").json()
    assert [r["title"] for r in period["items"]] == ["行动2"]


def test_api_create_conclude_and_errors(world, api_for):
    police = department(world)
    api = api_for("officer")
    payload = {"kind": "joint", "title": "源头企业联合检查", "starts_on": "2024-05-06", "ends_on": "2024-05-07", "location": "砂石料场",
               "partner_ids": [police.pk], "officer_ids": [world.officers["officer"].pk]}
    response = api.post("/api/v1/campaigns/operations/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner_ids"] == [police.pk] and body["organisation_id"] == world.brigade_a.pk and body["status"] == "planned"
    op_id = body["id"]
    refused = api.post(f"/api/v1/campaigns/operations/{op_id}/conclude", {"summary": "x", "ends_on": "2024-05-07"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "transition_not_allowed"
    assert api.post(f"/api/v1/campaigns/operations/{op_id}/start").status_code == 200
    done = api.post(f"/api/v1/campaigns/operations/{op_id}/conclude", {"summary": "完成", "ends_on": "2024-05-07", "enterprises_checked": 6},
                    content_type="application/json").json()
    assert (done["status"], done["enterprises_checked"]) == ("concluded", 6)
    bad = api.post("/api/v1/campaigns/operations/", {**payload, "partner_ids": []}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "partners_required"
    foreign = api.post("/api/v1/campaigns/operations/", {**payload, "officer_ids": [world.officers["officer_b"].pk]}, content_type="application/json")
    assert foreign.status_code == 404
    assert api_for("supervisor").post("/api/v1/campaigns/operations/", payload, content_type="application/json").status_code == 403


@pytest.mark.parametrize("key", ["officer", "head", "supervisor", "admin"])
def test_dashboard_card(world, client_for, key):
    concluded(world, starts_on=date(timezone.localdate().year, 1, 2))
    html = client_for(key).get("/").content.decode()
    assert "执法行动" in html and "联合执法 1 次" in html


def test_list_queries_do_not_grow_with_rows(world, client_for):
    """Query-count baseline: the list page and the API list cost the same for 2 and for 8 operations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("head")

    def cost(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        concluded(world, starts_on=date(2024, 1, 1) + timedelta(days=i), title=f"行动{i}")
    cost("/campaigns/")  # warm what the process keeps (the user's roles and units: core.versions)
    few = (cost("/campaigns/"), cost("/api/v1/campaigns/operations/"))
    for i in range(6):
        concluded(world, starts_on=date(2024, 2, 1) + timedelta(days=i), title=f"行动B{i}")
    assert (cost("/campaigns/"), cost("/api/v1/campaigns/operations/")) == few


def test_edit_page_changes_details_and_attachment_round_trip(world, client_for, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    from django.core.files.uploadedfile import SimpleUploadedFile

    op = operation(world)
    market = department(world, "南召县市场监督管理局", Department.Kind.MARKET)
    client = client_for("officer")
    response = client.post(f"/campaigns/{op.pk}/edit/", {
        "title": "维修行业联合检查", "starts_on": op.starts_on.isoformat(), "ends_on": op.ends_on.isoformat(), "location": "汽配城",
        "partners": [market.pk], "officers": [world.officers["officer"].pk]})
    assert response.status_code == 302
    op.refresh_from_db()
    assert (op.title, op.location, list(op.partners.all())) == ("维修行业联合检查", "汽配城", [market])
    client.post(f"/campaigns/{op.pk}/attach/", {"title": "工作方案", "file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan", "application/pdf")})
    att = op.attachments.get()
    download = client.get(f"/campaigns/{op.pk}/attachments/{att.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    assert client_for("officer_b").get(f"/campaigns/{op.pk}/attachments/{att.pk}/").status_code == 404
    started_op = started(world)
    response = client.post(f"/campaigns/{started_op.pk}/conclude/", {"ends_on": started_op.ends_on.isoformat(), "summary": "完成"})
    assert response.status_code == 302
    assert client.get(f"/campaigns/{started_op.pk}/edit/").status_code == 404  # concluded: no more edits


def test_department_toggle_only_for_local_rows_and_keepers(world, client_for):
    local = department(world, "皇后乡人民政府", Department.Kind.TOWNSHIP)
    shared = Department.objects.create(name="共用部门", kind=Department.Kind.OTHER, organisation=None)
    head = client_for("head")
    head.post(f"/campaigns/departments/{local.pk}/toggle/")
    local.refresh_from_db()
    assert not local.active
    assert "只有系统管理员" in head.post(f"/campaigns/departments/{shared.pk}/toggle/", follow=True).content.decode()
    shared.refresh_from_db()
    assert shared.active
    assert "皇后乡人民政府" not in _partner_choices(world)


def _partner_choices(world) -> str:
    """Names offered as partners on the create form (inactive departments are not)."""
    from zhifa.campaigns.forms import OperationForm

    return " ".join(d.name for d in OperationForm(user=world.users["head"]).fields["partners"].queryset)


def test_api_cancel_and_link_case(world, api_for):
    op = started(world)
    case = case_factories.opened(world, days_ago=1)
    api = api_for("officer")
    linked = api.post(f"/api/v1/campaigns/operations/{op.pk}/cases", {"case_number": case.number}, content_type="application/json")
    assert linked.status_code == 200 and linked.json()["case_numbers"] == [case.number]
    again = api.post(f"/api/v1/campaigns/operations/{op.pk}/cases", {"case_number": case.number}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "case_already_linked"
    assert api.post(f"/api/v1/campaigns/operations/{op.pk}/cancel", {"reason": "改期"}, content_type="application/json").status_code == 403
    cancelled = api_for("head").post(f"/api/v1/campaigns/operations/{op.pk}/cancel", {"reason": "改期"}, content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
