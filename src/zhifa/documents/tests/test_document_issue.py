import subprocess

import pytest
from django.contrib.contenttypes.models import ContentType

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.evidence import evidence_check, evidence_read
from zhifa.core.models import Event, NumberCounter
from zhifa.core.tests.factories import OrgPartyFactory
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import Document
from zhifa.documents.services import document_issue, documents_of

from .factories import context_for


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def party(world):
    return OrgPartyFactory(organisation=world.brigade_a, name="南阳宏达物流有限公司")


def test_penalty_decision_is_numbered_stored_recorded_and_reads_in_chinese(world, party, tmp_path):
    before = Event.objects.count()
    doc = document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind="penalty_decision",
                         subject=party, context=context_for("penalty_decision"))
    assert doc.number.startswith("豫R召交罚〔") and doc.number.endswith("0001号")
    assert evidence_check(doc.pdf) and doc.pdf.content_type == "application/pdf"
    text = pdf_text(evidence_read(doc.pdf), tmp_path).replace(" ", "").replace("\n", "")  # a phrase may wrap across lines
    for phrase in ["南召县交通运输综合行政执法大队", "行政处罚决定书", doc.number, "南阳宏达物流有限公司", "叁仟元整",
                   "六十日内", "行政复议", "六个月内", "2026年12月28日", "2027年4月29日", "第1页", "裁量理由"]:
        assert phrase in text, phrase
    actions = list(Event.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert actions == ["evidence.store", "document.issue"]
    assert documents_of(party) == [doc]


@pytest.mark.parametrize("kind", ["penalty_decision", "no_penalty_decision", "onspot_decision"])
def test_each_officers_certificate_number_stays_on_the_line_of_the_name(world, party, kind, tmp_path):
    """Regression: the signing block of the decisions (78 mm wide) broke 执法证号 4113000123 across two lines, the
    number's digits apart from the officer's name. Each officer (name and number) is now kept whole on one line."""
    officers = ["欧阳建国（执法证号 4113000123）", "李明（执法证号 41130002）"]
    doc = document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind=kind, subject=party,
                         context={**context_for(kind), "officers": officers})
    lines = [" ".join(line.split()) for line in pdf_text(evidence_read(doc.pdf), tmp_path).splitlines()]
    for officer in officers:
        assert any(officer in line for line in lines), (officer, [x for x in lines if "执法" in x])


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_standard_form_renders(world, party, kind, tmp_path):
    doc = document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind=kind, subject=party,
                         context=context_for(kind))
    text = pdf_text(evidence_read(doc.pdf), tmp_path).replace(" ", "")
    assert KINDS[kind].title.replace(" ", "") in text
    assert bool(doc.number) == bool(KINDS[kind].series)


def test_incomplete_document_is_refused_and_changes_nothing(world, party):
    before = Event.objects.count()
    ctx = context_for("penalty_decision")
    del ctx["discretion_reasoning"]
    with pytest.raises(DomainError) as exc:
        document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind="penalty_decision", subject=party, context=ctx)
    assert exc.value.code == "document_incomplete" and "discretion_reasoning" in exc.value.message
    assert Event.objects.count() == before and not Document.objects.exists() and not NumberCounter.objects.filter(series="documents.document").exists()


def test_other_jurisdiction_cannot_issue(world, party):
    with pytest.raises(NotPermitted):
        document_issue(actor=world.users["officer_b"], organisation=world.brigade_a, kind="register", subject=party,
                       context=context_for("register"))
    assert not Document.objects.exists()


def test_unknown_kind(world, party):
    with pytest.raises(DomainError):
        document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind="nope", subject=party, context={})


def test_pages_list_and_download(world, party, client_for):
    doc = document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind="violation_notice",
                         subject=party, context=context_for("violation_notice"))
    c = client_for("officer")
    assert doc.number in c.get("/documents/").content.decode()
    ct = ContentType.objects.get_for_model(party)
    page = c.get(f"/documents/subject/{ct.app_label}.{ct.model}/{party.pk}/")
    assert page.status_code == 200 and "违法行为通知书" in page.content.decode()
    assert c.get(f"/documents/{doc.pk}/").status_code == 200
    pdf = c.get(f"/documents/{doc.pk}/pdf/?download=1")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    other = client_for("officer_b")
    assert other.get(f"/documents/{doc.pk}/pdf/").status_code == 404
    assert other.get(f"/documents/subject/{ct.app_label}.{ct.model}/{party.pk}/").status_code == 404


def test_api_issue_and_list(world, party, api_for):
    api = api_for("officer")
    body = {"kind": "register", "subject_type": "core.party", "subject_id": str(party.pk), "context": context_for("register")}
    r = api.post("/api/v1/documents/issue", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["number"].startswith("豫R召交立〔")
    assert api.get("/api/v1/documents/").json()["items"][0]["id"] == r.json()["id"]
    assert api_for("officer_b").post("/api/v1/documents/issue", body, content_type="application/json").status_code == 404


def test_word_version_has_the_same_title_number_and_text(world, party, client_for):
    import io

    from docx import Document as Docx

    doc = document_issue(actor=world.users["officer"], organisation=world.brigade_a, kind="penalty_decision",
                         subject=party, context=context_for("penalty_decision"))
    r = client_for("officer").get(f"/documents/{doc.pk}/docx/")
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
    word = Docx(io.BytesIO(r.content))
    lines = [p.text for p in word.paragraphs]
    assert lines[:3] == ["南召县交通运输综合行政执法大队", "行政处罚决定书", doc.number]
    assert any("叁仟元整" in line for line in lines) and any("六十日内" in line for line in lines)
    assert word.tables[0].cell(0, 0).text == "当事人"
    assert client_for("officer_b").get(f"/documents/{doc.pk}/docx/").status_code == 404


def test_a_subject_key_its_model_cannot_have_is_not_found(world, client_for, api_for):
    """Regression (the API fuzz, 2026-12-06): a text key for a model with a number key answered 500 (the ORM's
    ValueError) on the API and on the subject page; it is 404, as an unknown key."""
    assert api_for("officer").get("/api/v1/documents/subject/credit.creditgrade/结论").status_code == 404
    assert api_for("officer").get("/api/v1/documents/subject/core.party/12x").json()["code"] == "not_found"
    assert client_for("officer").get("/documents/subject/core.party/结论/").status_code == 404
