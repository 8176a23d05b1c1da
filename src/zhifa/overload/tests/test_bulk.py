"""Opening cases from many violations at once (超限运输车辆行驶公路管理规定 Art. 55): a preview of each row, then each
row through the single action's service, recorded as itself, with its own result."""

from django.test import Client

from zhifa.core.models import Event
from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest
from zhifa.overload.models import Violation

from .conftest import at, record


def _detected(station, world, n=3):
    for i in range(n):
        VehicleFactory(organisation=world.brigade_a, plate=f"豫R·B{i:04d}")
    rows = [record(200 + i, when=at(2 + i, 9), plate=f"豫R·B{i:04d}", gross=60_000) for i in range(n)]
    rows.append(record(300, when=at(8, 9), plate="豫R·Z9999", gross=60_000))  # unregistered: to the review queue
    ingest.ingest_records(rows, station=station, name="t", body_sha256="0" * 64)
    return list(Violation.objects.order_by("pk"))


def test_preview_changes_nothing_then_each_row_is_opened_and_recorded(station, world, client_for):
    violations = _detected(station, world)
    ids = [str(v.pk) for v in violations]
    client = client_for("officer")
    events = Event.objects.count()
    page = client.post("/overload/bulk/open/", {"ids": ids}).content.decode()
    assert "预览" in page and page.count("生成案件并告知车辆所有人") == 3 and "不处理" in page
    assert Event.objects.count() == events and not Violation.objects.filter(status=Violation.Status.CASE).exists()
    page = client.post("/overload/bulk/open/", {"ids": ids, "confirm": "1"}).content.decode()
    assert page.count("成功</span>") == 3 and page.count("未生成</span>") == 1
    assert Violation.objects.filter(status=Violation.Status.CASE).count() == 3
    opened = Violation.objects.filter(status=Violation.Status.CASE)
    assert all(Event.objects.filter(subject_type="cases.case", subject_id=str(v.case_id)).exists() for v in opened)


def test_other_jurisdiction_and_non_officers_change_nothing(station, world, client_for):
    violations = _detected(station, world, n=1)
    ids = [str(violations[0].pk)]
    client_for("officer_b").post("/overload/bulk/open/", {"ids": ids, "confirm": "1"})
    assert client_for("supervisor").post("/overload/bulk/open/", {"ids": ids, "confirm": "1"}).status_code == 404
    assert not Violation.objects.filter(status=Violation.Status.CASE).exists()
    assert Client().post("/overload/bulk/open/", {"ids": ids, "confirm": "1"}).status_code == 302


def test_list_of_detected_offers_the_bulk_form(station, world, client_for):
    _detected(station, world, n=1)
    page = client_for("officer").get("/overload/?status=detected").content.decode()
    assert 'action="/overload/bulk/open/"' in page and 'name="ids"' in page
