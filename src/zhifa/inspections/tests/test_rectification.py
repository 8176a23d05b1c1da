"""责令改正违法行为通知书 for class 1–2 warnings and inspection findings: numbered by the documents app (series 责改),
one per subject, the deadline the follow-up is measured against; golden text for an organisation and a person.
Refusals change nothing."""

import re
from datetime import date

import pytest

from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory, PersonPartyFactory
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import Document
from zhifa.documents.render import render_html
from zhifa.inspections import services
from zhifa.inspections.models import ProvincialWarning
from zhifa.inspections.rectification import rectification_notice_issue

pytestmark = pytest.mark.django_db
BASIS = "《道路运输车辆动态监督管理办法》第二十六条"


def _warning(world, *, party=None, cls=2, ext="HN-YJ-00001"):
    row = {"external_id": ext, "warning_class": cls, "category": "动态监控超速", "description": "车辆连续超速行驶",
           "occurred_at": "2026-03-05T10:00:00+08:00", "plate": "豫R·A1234", "received_on": date(2026, 3, 6)}
    services.warning_import(actor=world.users["officer"], organisation=world.brigade_a, rows=[row], source="api", on=date(2026, 3, 6))
    w = ProvincialWarning.objects.get(external_id=ext)
    if party is not None:
        ProvincialWarning.objects.filter(pk=w.pk).update(party=party)
        w.refresh_from_db()
    return w


def _text(doc):
    html = render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("who", ["organisation", "person"])
def test_golden_rectification_notice_for_a_warning(world, settings, tmp_path, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = CompanyFactory(organisation=world.brigade_a, name="南阳宏达物流有限公司").party if who == "organisation" else \
        PersonPartyFactory(organisation=world.brigade_a, name="赵六")
    w = _warning(world, party=party)
    services.warning_notify(actor=world.users["officer"], warning=w, deadline=date(2026, 3, 20), note="对超速驾驶员进行安全教育")
    w.refresh_from_db()
    doc = rectification_notice_issue(actor=world.users["officer"], subject=w, legal_basis=BASIS)
    w.refresh_from_db()
    assert w.notice_number == doc.number and "责改〔" in doc.number
    you = "你单位" if who == "organisation" else "你"
    text = _text(doc)
    assert (f"{party.name}：2026年3月6日，本机关通过省综合交通运输服务管理平台预警（编号HN-YJ-00001）发现{you}存在下列违法行为（问题）："
            "动态监控超速：车辆连续超速行驶（车辆豫R·A1234）。") in text
    assert (f"上述行为违反了{BASIS}。根据{BASIS}的规定，现责令{you}于2026年3月20日前改正。改正要求：对超速驾驶员进行安全教育。") in text
    assert f"{you}应当按期改正，并将改正情况书面报告本机关。本机关将于期限届满后进行复查；逾期不改正的，本机关将依法立案查处。" in text
    assert "你（单位）" not in text and "None" not in text
    # One notice per warning: asking again returns it, no second number.
    assert rectification_notice_issue(actor=world.users["officer"], subject=w, legal_basis=BASIS).pk == doc.pk
    assert Document.objects.filter(kind="rectification_notice").count() == 1


def test_rectification_notice_refused_without_deadline_basis_or_party(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    firm = CompanyFactory(organisation=world.brigade_a).party
    w = _warning(world, party=firm)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        rectification_notice_issue(actor=world.users["officer"], subject=w, legal_basis=BASIS)
    assert exc.value.code == "not_notified"
    services.warning_notify(actor=world.users["officer"], warning=w, deadline=date(2026, 3, 20), note="整改")
    w.refresh_from_db()
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        rectification_notice_issue(actor=world.users["officer"], subject=w, legal_basis=" ")
    assert exc.value.code == "basis_required"
    nobody = _warning(world, ext="HN-YJ-00002")
    services.warning_notify(actor=world.users["officer"], warning=nobody, deadline=date(2026, 3, 20), note="整改")
    nobody.refresh_from_db()
    m = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        rectification_notice_issue(actor=world.users["officer"], subject=nobody, legal_basis=BASIS)
    assert exc.value.code == "no_party"
    assert Event.objects.count() == m and not Document.objects.exists() and n <= m
    with pytest.raises(DomainError) as exc:
        rectification_notice_issue(actor=world.users["officer"], subject=_warning(world, party=firm, cls=3, ext="HN-YJ-00003"), legal_basis=BASIS)
    assert exc.value.code == "class3_is_case"


def test_rectification_notice_button_on_the_warning_page(world, settings, tmp_path, client_for):
    settings.EVIDENCE_ROOT = str(tmp_path)
    w = _warning(world, party=CompanyFactory(organisation=world.brigade_a).party)
    services.warning_notify(actor=world.users["officer"], warning=w, deadline=date(2026, 3, 20), note="整改")
    client = client_for("officer")
    page = client.get(f"/inspections/warnings/{w.pk}/").content.decode()
    assert "制作责令改正违法行为通知书" in page
    client.post(f"/inspections/warnings/{w.pk}/rectification-notice/", {"legal_basis": BASIS})
    w.refresh_from_db()
    page = client.get(f"/inspections/warnings/{w.pk}/").content.decode()
    assert w.notice_number and w.notice_number in page and "制作责令改正违法行为通知书</button>" not in page
    # Another county's officer cannot issue it (jurisdiction in the service and the selector: 404).
    assert client_for("officer_b").post(f"/inspections/warnings/{w.pk}/rectification-notice/", {"legal_basis": BASIS}).status_code == 404
