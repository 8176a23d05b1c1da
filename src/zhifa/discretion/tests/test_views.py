"""Pages and API: every outcome shown carries its reasoning and citations; changes are for administrators."""

import io
from datetime import date

import pytest

from zhifa.core.models import Event
from zhifa.discretion.models import BenchmarkEdition, ViolationItem

from .helpers import edition_doc, yaml_bytes

pytestmark = pytest.mark.django_db

CALC = ("/discretion/calculator/?item=YS-004&violation_date=2026-05-01&party_kind=person&harm=minor"
        "&age=16")


def test_calculator_page_shows_outcome_reasoning_and_citations(client_for, world):
    page = client_for("officer").get(CALC)
    text = page.content.decode()
    assert page.status_code == 200
    assert "从轻处罚" in text and "行政处罚法》第三十条" in text and "说理" in text and "无需法制审核" in text


def test_calculator_htmx_returns_the_partial(client_for, world):
    page = client_for("officer").get(CALC, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert 'id="assessment"' in text and "<html" not in text


def test_calculator_first_violation_shows_commitment(client_for, world):
    page = client_for("officer").get("/discretion/calculator/?item=YS-011&violation_date=2026-05-01&party_kind=organisation"
                                     "&harm=minor&first_violation=on&corrected_promptly=on")
    assert "告知承诺书" in page.content.decode()


def test_calculator_overload(client_for, world):
    page = client_for("officer").get("/discretion/calculator/?item=CX-001&violation_date=2026-05-01&party_kind=organisation"
                                     "&harm=minor&axles=6&combination=on&gross_kg=55000")
    text = page.content.decode()
    assert "3,000.00 元" in text and "第四十三条" in text and "向下取整" in text


@pytest.mark.parametrize("url", ["/discretion/items/", "/discretion/items/YS-002/", "/discretion/editions/",
                                 "/discretion/editions/CN-DEFAULT-2022/", "/discretion/lists/", "/discretion/review/",
                                 "/discretion/overload/"])
def test_pages_open_for_officers(client_for, world, url):
    assert client_for("officer").get(url).status_code == 200


def test_exports(client_for, world):
    c = client_for("officer")
    assert c.get("/discretion/editions/CN-DEFAULT-2022/export.xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert b"CN-DEFAULT-2022" in c.get("/discretion/editions/CN-DEFAULT-2022/export.yaml").content


def test_import_page_admin_only_and_shows_row_errors(client_for, world):
    doc = edition_doc(code="UI-1", effective_from="2030-01-01")
    doc["items"][3]["penalty_kinds"] = ["caning"]
    upload = io.BytesIO(yaml_bytes(doc))
    upload.name = "ui.yaml"
    page = client_for("admin").post("/discretion/editions/", {"file": upload})
    assert "工作表「事项」第4行" in page.content.decode()
    assert not BenchmarkEdition.objects.filter(code="UI-1").exists()
    upload = io.BytesIO(yaml_bytes(edition_doc(code="UI-2", effective_from="2030-01-01")))
    upload.name = "ui.yaml"
    assert client_for("officer").post("/discretion/editions/", {"file": upload}).status_code == 404
    upload.seek(0)
    assert client_for("admin").post("/discretion/editions/", {"file": upload}).status_code == 302
    assert BenchmarkEdition.objects.filter(code="UI-2").exists()


def test_item_edit_by_admin_is_recorded_and_refused_for_officer(client_for, world):
    item = ViolationItem.objects.get(code="YS-008")
    data = {"name": item.name, "category": item.category, "violated_provision": item.violated_provision,
            "penalty_basis": item.penalty_basis, "penalty_kinds": item.penalty_kinds, "statutory_min": "1000",
            "statutory_max": "3000", "life_health_safety": "", "provision_status": "text", "active": "on", "note": "已核对"}
    assert client_for("officer").post("/discretion/items/YS-008/", data).status_code == 404
    r = client_for("admin").post("/discretion/items/YS-008/", data)
    assert r.status_code == 302, r.content.decode()[r.content.decode().find("msg error"):][:300]
    item.refresh_from_db()
    assert item.provision_status == "text" and item.note == "已核对"
    page = client_for("officer").get("/discretion/items/YS-008/")
    assert "修改违法行为事项 YS-008" in page.content.decode()
    assert Event.objects.filter(action="discretion.item_update").count() == 1


def test_api_assess_review_and_overload(api_for, world):
    api = api_for("officer")
    r = api.post("/api/v1/discretion/assess", {"item_code": "YS-004", "facts": {"harm": "minor", "confessed": True},
                                               "violation_date": "2026-05-01"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["outcome"] == "lenient" and r.json()["citations"]
    r = api.post("/api/v1/discretion/review", {"item_code": "YS-002", "party_kind": "person", "amount": "20000",
                                               "penalty_kinds": ["fine"], "on": "2026-05-01"}, content_type="application/json")
    assert r.json()["review_required"] and r.json()["hearing_right"]
    r = api.post("/api/v1/discretion/overload/assess", {"axles": 6, "gross_kg": 55000, "single_drive_axle": True,
                                                        "violation_date": "2026-05-01"}, content_type="application/json")
    assert r.json()["amount"] == "4500.00" and r.json()["overload"]["limit_kg"] == 46000
    assert len(api.get("/api/v1/discretion/overload/limits").json()) == 7
    r = api.get("/api/v1/discretion/items/?limit=5")
    assert len(r.json()["items"]) == 5 and r.json()["next_cursor"]
    r = api.post("/api/v1/discretion/assess", {"item_code": "NOPE", "facts": {}, "violation_date": "2026-05-01"},
                 content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "unknown_item"


def test_api_import_admin_only(api_for, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = yaml_bytes(edition_doc(code="API-1", effective_from=date(2030, 1, 1).isoformat()))
    r = api_for("officer").post("/api/v1/discretion/editions/import", {"file": SimpleUploadedFile("a.yaml", content)})
    assert r.status_code == 403
    r = api_for("admin").post("/api/v1/discretion/editions/import", {"file": SimpleUploadedFile("a.yaml", content)})
    assert r.status_code == 201 and r.json()["code"] == "API-1"


def test_art33_first_violation_commitment_and_education_record(client_for, world):
    query = ("item=YS-011&violation_date=2026-05-01&party_kind=organisation&harm=minor&first_violation=on"
             "&corrected_promptly=on")
    c = client_for("officer")
    assert "/discretion/calculator/commitment/?" in c.get("/discretion/calculator/?" + query).content.decode()
    letter = c.get("/discretion/calculator/commitment/?" + query).content.decode()
    assert "告知承诺书" in letter and "不再实施同类违法行为" in letter and "第三十三条第一款" in letter
    record = c.get("/discretion/calculator/education/?" + query).content.decode()
    assert "教育记录" in record and "第三十三条第三款" in record
    # A fined outcome has neither.
    assert c.get("/discretion/calculator/commitment/?item=YS-011&violation_date=2026-05-01&party_kind=person"
                 "&harm=minor").status_code == 404


def test_dashboard_widget_names_the_edition_in_force(client_for, world):
    from django.test import RequestFactory

    from zhifa.discretion.dashboard import widgets

    request = RequestFactory().get("/")
    request.user = world.users["officer"]
    card = widgets(request)[0]
    assert "全国通用默认版" in card["text"] and "待核对" in card["text"]
    assert client_for("officer").get("/").status_code == 200


@pytest.mark.django_db
def test_art34_benchmarks_and_four_lists_are_published_without_login(client):
    from zhifa.discretion import services

    if not ViolationItem.objects.exists():  # a transactional test's flush may have emptied a reused database
        services.shipped_data_load(actor=None)
    page = client.get("/discretion/public/benchmarks/").content.decode()
    assert "裁量基准" in page and "第三十四条" in page and ViolationItem.objects.order_by("code").first().name in page
    lists = client.get("/discretion/public/lists/")
    assert lists.status_code == 200 and "首次违法行为不予处罚" in lists.content.decode()
