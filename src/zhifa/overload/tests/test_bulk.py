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
    assert "预览" in page and page.count("生成案件并告知车辆所有人") == 3 and "不办理</span> 当前状态为“待人工核查”" in page
    assert Event.objects.count() == events and not Violation.objects.filter(status=Violation.Status.CASE).exists()
    page = client.post("/overload/bulk/open/", {"ids": ids, "confirm": "1"}).content.decode()
    assert page.count("成功</span>") == 3 and page.count("未办理</span>") == 1
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


# --- the plate review queue in bulk ------------------------------------------------------------------------------

def _in_review(station, world, plates):
    """Violations whose plates matched no registered vehicle at ingest (the review queue), oldest first."""
    rows = [record(500 + i, when=at(2 + i % 20, 8 + i // 20), plate=p, gross=60_000) for i, p in enumerate(plates)]
    ingest.ingest_records(rows, station=station, name="t", body_sha256="1" * 64)
    found = list(Violation.objects.filter(status=Violation.Status.REVIEW).order_by("first_passed_at"))
    assert len(found) == len(plates)
    return found


def test_bulk_review_previews_then_matches_corrects_and_rejects_each_row_as_itself(station, world, client_for):
    v_ok, v_fix, v_none, v_bad = _in_review(station, world, ["豫R·C0001", "豫R·C0008", "豫R·C0003", "豫R·C0004"])
    # Registered after the ingest (the plates were read right) and one misread (8 for 2, seen on the photo).
    confirmed = VehicleFactory(organisation=world.brigade_a, plate="豫R·C0001", plate_colour="yellow")
    corrected = VehicleFactory(organisation=world.brigade_a, plate="豫R·C0002", plate_colour="yellow")
    form = {"ids": [v_ok.pk, v_fix.pk, v_none.pk, v_bad.pk], "reason": "号牌被遮挡无法辨认",
            f"plate_{v_fix.pk}": "豫r c0002", f"do_{v_bad.pk}": "dismiss"}
    client = client_for("officer")
    events = Event.objects.count()
    page = client.post("/overload/bulk/review/", form).content.decode()
    assert "批量核查号牌：预览" in page
    assert "确认号牌，匹配登记车辆 豫R·C0001" in page and "更正号牌 豫R·C0008 → 豫R·C0002" in page
    assert "本辖区没有号牌为 豫R·C0003 的登记车辆" in page and "不予处理：号牌被遮挡无法辨认" in page
    assert Event.objects.count() == events and Violation.objects.filter(status=Violation.Status.REVIEW).count() == 4
    page = client.post("/overload/bulk/review/", {**form, "confirm": "1", f"plate_{v_fix.pk}": "豫R·C0002"}).content.decode()
    assert page.count("成功</span>") == 3 and page.count("未办理</span>") == 1
    for v in (v_ok, v_fix, v_none, v_bad):
        v.refresh_from_db()
    assert (v_ok.status, v_ok.vehicle) == (Violation.Status.DETECTED, confirmed)
    assert (v_fix.status, v_fix.vehicle) == (Violation.Status.DETECTED, corrected)
    # The plate the reviewer typed is written onto the violation, and the record shows the correction.
    assert v_fix.plate == "豫R·C0002" and v_ok.plate == "豫R·C0001"
    fix_event = Event.objects.get(action="overload.review_match", subject_id=str(v_fix.pk))
    assert fix_event.changes["plate"] == ["豫R·C0008", "豫R·C0002"]
    assert "更正 豫R·C0008 → 豫R·C0002" in fix_event.summary
    assert "已更正号牌为 豫R·C0002" in page
    assert v_none.status == Violation.Status.REVIEW and v_none.vehicle is None
    assert v_bad.status == Violation.Status.DISMISSED and v_bad.note == "号牌被遮挡无法辨认"
    # One audit event per row, each naming its own violation.
    new = Event.objects.filter(pk__gt=0).order_by("-pk")[:3]
    assert sorted(e.action for e in new) == ["overload.review_dismiss", "overload.review_match", "overload.review_match"]
    assert {e.subject_id for e in new} == {str(v_ok.pk), str(v_fix.pk), str(v_bad.pk)}
    assert Event.objects.count() == events + 3


def test_bulk_review_refuses_rows_it_cannot_act_on_and_changes_nothing_for_others(station, world, client_for):
    (v,) = _in_review(station, world, ["豫R·D0001"])
    VehicleFactory(organisation=world.brigade_a, plate="豫R·D0001", plate_colour="yellow")
    events = Event.objects.count()
    # Another county's officer: the row is not theirs (not even listed); a supervisor may not review; no reason given.
    assert client_for("officer_b").post("/overload/bulk/review/", {"ids": [v.pk], "confirm": "1"}).status_code == 302
    assert client_for("supervisor").post("/overload/bulk/review/", {"ids": [v.pk], "confirm": "1"}).status_code == 404
    page = client_for("officer").post("/overload/bulk/review/", {"ids": [v.pk], f"do_{v.pk}": "dismiss", "confirm": "1"}).content.decode()
    assert "不予处理须填写理由" in page
    v.refresh_from_db()
    assert v.status == Violation.Status.REVIEW and Event.objects.count() == events


def test_review_queue_offers_the_bulk_form_and_its_export(station, world, client_for):
    _in_review(station, world, ["豫R·E0001", "豫R·E0002"])
    page = client_for("officer").get("/overload/review/").content.decode()
    assert 'action="/overload/bulk/review/"' in page and page.count('name="ids"') == 2 and "批量核查（预览）" in page
    assert "批量核查" not in client_for("supervisor").get("/overload/review/").content.decode()
    response = client_for("officer").get("/overload/review/?format=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert "待人工核查" in rows[0][0] and rows[1][0] == "号牌" and sorted(r[0] for r in rows[2:]) == ["豫R·E0001", "豫R·E0002"]


def test_match_refuses_a_corrected_plate_that_is_not_the_vehicles(station, world):
    """A corrected plate must be the matched vehicle's: the service refuses and changes nothing."""
    import pytest

    from zhifa.core.errors import DomainError
    from zhifa.overload import services

    (v,) = _in_review(station, world, ["豫R·F0008"])
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·F0002", plate_colour="yellow")
    events = Event.objects.count()
    with pytest.raises(DomainError):
        services.violation_match(actor=world.users["officer"], violation=v, vehicle=vehicle, plate="豫R·F0003")
    v.refresh_from_db()
    assert (v.status, v.plate, v.vehicle_id) == (Violation.Status.REVIEW, "豫R·F0008", None)
    assert Event.objects.count() == events


def test_match_refuses_another_countys_vehicle_and_another_plate_colour(station, world):
    """Regression: violation_match checked the violation's jurisdiction but not the vehicle's, nor the plate colour
    (only the pages looked the vehicle up within the officer's jurisdiction and of the colour read). Another
    county's vehicle, named by its id, is refused as out of jurisdiction; a vehicle of the same plate but another
    colour than the camera read is refused; nothing changes until the county's own vehicle of that colour."""
    import pytest

    from zhifa.core.errors import DomainError, NotPermitted
    from zhifa.core.models import Vehicle
    from zhifa.overload import services

    (v,) = _in_review(station, world, ["豫R·F0001"])
    assert v.plate_colour == "yellow"
    theirs = VehicleFactory(organisation=world.brigade_b, plate="豫R·F0001", plate_colour="yellow")
    blue = VehicleFactory(organisation=world.brigade_a, plate="豫R·F0001", plate_colour="blue")
    events = Event.objects.count()
    with pytest.raises(NotPermitted):
        services.violation_match(actor=world.users["officer"], violation=v, vehicle=Vehicle.objects.get(pk=theirs.pk))
    with pytest.raises(DomainError) as colour:
        services.violation_match(actor=world.users["officer"], violation=v, vehicle=blue)
    assert colour.value.code == "plate_colour_mismatch" and "黄" in colour.value.message and "蓝" in colour.value.message
    v.refresh_from_db()
    assert (v.status, v.plate, v.vehicle_id) == (Violation.Status.REVIEW, "豫R·F0001", None)
    assert Event.objects.count() == events
    ours = VehicleFactory(organisation=world.brigade_a, plate="豫R·F0002", plate_colour="yellow")
    services.violation_match(actor=world.users["officer"], violation=v, vehicle=ours, plate="豫R·F0002")
    v.refresh_from_db()
    assert (v.status, v.vehicle_id) == (Violation.Status.DETECTED, ours.pk)
