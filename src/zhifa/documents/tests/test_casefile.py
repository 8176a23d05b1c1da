"""The case file (案卷): a closed case exported as one PDF in the standard order with a table of contents and
the evidence list, plus manifest.json of file hashes that `zhifa audit verify-file` checks."""

import io
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.cases.tests.factories import decided
from zhifa.core.errors import DomainError
from zhifa.core.manifest import verify_manifest
from zhifa.core.models import Event
from zhifa.documents.casefile import casefile_export
from zhifa.documents.models import Document
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import simulated_payment


@pytest.fixture
def closed_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = decided(world)
        case = case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
        simulated_payment(notice=PaymentNotice.objects.get(case=case))
        case.refresh_from_db()
        case = case_services.case_close(actor=world.users["head"], case=case, report="罚款已缴清，建议结案。")
    return case


def test_closed_case_exports_in_standard_order_with_verified_manifest(world, closed_case, tmp_path, capsys):
    data = casefile_export(actor=world.users["officer"], case=closed_case)
    path = tmp_path / "casefile.zip"
    path.write_bytes(data)
    assert verify_manifest(path) == []
    call_command("audit", "verify-file", str(path))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        merged = zf.read("casefile.pdf")
    titles = [d.title for d in Document.objects.filter(subject_id=str(closed_case.pk))]
    assert {"立案登记表", "违法行为通知书", "行政处罚决定书", "送达回证", "结案报告"} <= set(titles)
    assert "manifest.json" in names and names[1] == "00-卷内目录.pdf"
    (tmp_path / "c.pdf").write_bytes(merged)
    text = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True).stdout.replace(" ", "")
    order = [text.find(t) for t in ["卷内目录", "立案登记表", "违法行为通知书", "行政处罚决定书", "送达回证", "结案报告", "证据清单"]]
    assert all(i >= 0 for i in order)
    # body order: each document's page starts with its title after the contents listed them all
    starts = [text.find(t, text.find("本卷共")) for t in ["立案登记表", "违法行为通知书", "行政处罚决定书", "送达回证", "结案报告", "证据清单"]]
    assert starts == sorted(starts)
    total = len(PdfReader(io.BytesIO(merged)).pages)
    assert f"本卷共{total}页" in text
    assert Event.objects.filter(action="casefile.export", subject_id=str(closed_case.pk)).count() == 1


def test_tampered_case_file_fails_verification(world, closed_case, tmp_path):
    data = casefile_export(actor=world.users["officer"], case=closed_case)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            blob = src.read(name)
            zf.writestr(name, blob + b"%" if name == "casefile.pdf" else blob)
    problems = verify_manifest(out)
    assert problems and "casefile.pdf" in problems[0]


def test_open_case_cannot_be_exported(world):
    case = decided(world)
    before = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        casefile_export(actor=world.users["officer"], case=case)
    assert exc.value.code == "case_not_closed" and Event.objects.count() == before


def test_casefile_download_page(world, closed_case, client_for):
    r = client_for("officer").get(f"/documents/casefile/{closed_case.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert client_for("officer_b").get(f"/documents/casefile/{closed_case.pk}/").status_code == 404
