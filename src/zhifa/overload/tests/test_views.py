"""Officer pages render within the jurisdiction; the public remote-handling flow works without an account."""

from django.test import Client

from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest, services
from zhifa.overload.models import RemoteAct, Violation

from .conftest import record


def _violation(station, world, plate="豫R·A1001"):
    VehicleFactory(organisation=world.brigade_a, plate=plate)
    ingest.ingest_records([record(1, gross=60_000, plate=plate)], station=station, name="t", body_sha256="0" * 64)
    return Violation.objects.get()


def test_officer_pages_render(station, world, client_for):
    violation = _violation(station, world)
    client = client_for("officer")
    for url in ("/overload/", "/overload/review/", "/overload/stations/", "/overload/batches/", "/overload/four/",
                f"/overload/violations/{violation.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "生成案件并告知车辆所有人" in client.get(f"/overload/violations/{violation.pk}/").content.decode()


def test_other_jurisdiction_gets_404(station, world, client_for):
    violation = _violation(station, world)
    assert client_for("officer_b").get(f"/overload/violations/{violation.pk}/").status_code == 404


def test_open_case_from_the_page(station, world, client_for):
    violation = _violation(station, world)
    client_for("officer").post(f"/overload/violations/{violation.pk}/open/")
    violation.refresh_from_db()
    assert violation.status == Violation.Status.CASE


def test_public_remote_flow(station, world):
    violation = _violation(station, world)
    services.violation_open_case(violation=violation)
    violation.refresh_from_db()
    public = Client()
    assert public.get("/overload/remote/case/").status_code == 302  # not identified yet
    wrong = public.post("/overload/remote/", {"plate": "豫R·A1001", "plate_colour": "yellow", "code": "ZZZZZZZZ"})
    assert "未找到" in wrong.content.decode()
    ok = public.post("/overload/remote/", {"plate": "豫R·A1001", "plate_colour": "yellow", "code": violation.notice_code})
    assert ok.status_code == 302
    page = public.get("/overload/remote/case/").content.decode()
    assert "D-A-1" in page and "同意电子送达" in page
    public.post("/overload/remote/case/", {"kind": "consent", "contact": "13800000000"})
    assert RemoteAct.objects.filter(violation=violation, kind=RemoteAct.Kind.CONSENT).exists()


def test_dashboard_card_counts_waiting_work(station, world, client_for):
    _violation(station, world)
    page = client_for("officer").get("/").content.decode()
    assert "超限非现场执法" in page and "1 待立案" in page


def test_remote_handling_refuses_the_owners_public_credit_code(station, world):
    """Regression (issue 17): plate + the owning company's 统一社会信用代码 (printed in published decisions) logged
    in to the company's case and was offered e-delivery consent."""
    from zhifa.core.tests.factories import OrgPartyFactory

    owner = OrgPartyFactory(organisation=world.brigade_a)
    assert owner.credit_code
    VehicleFactory(organisation=world.brigade_a, plate="豫R·C2002", owner=owner)
    ingest.ingest_records([record(1, gross=60_000, plate="豫R·C2002")], station=station, name="t", body_sha256="0" * 64)
    violation = Violation.objects.get()
    services.violation_open_case(violation=violation)
    public = Client()
    for code in (owner.credit_code, owner.credit_code.lower()):
        page = public.post("/overload/remote/", {"plate": "豫R·C2002", "plate_colour": "yellow", "code": code})
        assert page.status_code == 200 and "未找到" in page.content.decode()
    assert public.get("/overload/remote/case/").status_code == 302  # not let in
    assert not RemoteAct.objects.exists()


def test_a_missing_wim_file_is_a_notice_not_a_server_error(station, world, client_for):
    """Regression (issue 17): a missing WIM Parquet file turned /overload/violations/<pk>/ into a 500."""
    from zhifa.cases.models import Case
    from zhifa.overload.ingest import wim_root
    from zhifa.overload.models import WimPart

    violation = _violation(station, world)
    for part in WimPart.objects.all():
        (wim_root() / part.path).unlink()
    page = client_for("officer").get(f"/overload/violations/{violation.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "原始检测数据文件缺失" in text and "S411321A#1" in text
    # nor can a case be opened on records that are gone (行政处罚法 Art. 41)
    client_for("officer").post(f"/overload/violations/{violation.pk}/open/")
    violation.refresh_from_db()
    assert violation.status == Violation.Status.DETECTED and not Case.objects.exists()
