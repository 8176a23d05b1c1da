"""The case file (案卷): a closed case exported as one PDF in the standard order with a table of contents and
the evidence list, plus manifest.json of file hashes that `zhifa audit verify-file` checks."""

import io
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from zhifa.cases import services as case_services
from zhifa.cases.models import Case, EvidenceItem
from zhifa.cases.tests.factories import decided
from zhifa.cases.tests.test_evidence_files import MP4, jpeg_bytes
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
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
        # evidence is registered before the decision; set up directly on the decided case
        for data, name, ctype, kind, title in [(jpeg_bytes(), "IMG_0001.JPG", "image/jpeg", EvidenceItem.Kind.PHOTO, "现场照片"),
                                               (MP4, "VID_0001.mp4", "video/mp4", EvidenceItem.Kind.VIDEO, "执法记录仪视频")]:
            ef = evidence_store(actor=world.users["officer"], organisation=case.organisation, fileobj=io.BytesIO(data), name=name,
                                content_type=ctype)
            EvidenceItem.objects.create(case=case, kind=kind, title=title, file=ef)
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



def test_every_evidence_file_is_inside_the_case_file_and_in_its_manifest(world, closed_case, tmp_path):
    """行政处罚法 Art. 46/47: the exported case file carries the evidence itself, not only its hashes."""
    data = casefile_export(actor=world.users["officer"], case=closed_case)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        import json

        manifest = json.loads(zf.read("manifest.json"))
        listed = {e["name"]: e["sha256"] for e in manifest["files"]}
        for item in closed_case.evidence_items.select_related("file"):
            name = next(n for n in listed if n.startswith("证据/") and item.title in n)
            assert listed[name] == item.file.sha256 and zf.read(name) == open_file(item.file)
        assert {n for n in listed if n.startswith("证据/")} == {"证据/01-现场照片.jpg", "证据/02-执法记录仪视频.mp4"}
    path = tmp_path / "casefile.zip"
    path.write_bytes(data)
    call_command("audit", "verify-file", str(path))


def open_file(ef):
    from zhifa.core.evidence import evidence_read

    return evidence_read(ef)


def test_case_page_offers_the_case_file_export_and_links_documents(world, closed_case, client_for):
    html = client_for("officer").get(f"/cases/{closed_case.pk}/").content.decode()
    assert f'href="/documents/casefile/{closed_case.pk}/"' in html
    # The case's own papers (a document of another subject, e.g. a party with the same id, is not the case's).
    from zhifa.cases.models import CaseDocument

    linked = CaseDocument.objects.filter(case=closed_case).exclude(document_id=None).values_list("document_id", flat=True)
    # every paper the case lists links to that paper (the document's id, not the case-document row's)
    assert linked and all(f'href="/documents/{pk}/"' in html for pk in linked)
    own = set(linked)
    import re

    assert {int(pk) for pk in re.findall(r'href="/documents/(\d+)/"', html)} <= own
