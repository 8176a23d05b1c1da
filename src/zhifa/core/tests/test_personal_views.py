"""Viewing a natural person's personal data is recorded (issue 9 item 3): every detail page and API detail that
shows it unmasked writes one ``personal_data.view`` event per view; lists (masked) and organisations' records
write none."""

from datetime import date

import pytest

from zhifa.complaints import services as complaints
from zhifa.complaints.tests.factories import SoftMeasureFactory
from zhifa.core.audit import PERSONAL_VIEW, verify
from zhifa.core.models import Event
from zhifa.core.tests.factories import DriverFactory, OrgPartyFactory, PersonPartyFactory, VehicleFactory
from zhifa.documents.services import document_issue
from zhifa.documents.tests.factories import context_for
from zhifa.permits.tests.factories import PermitApplicationFactory
from zhifa.training import services as training

ID_NUMBER = "11010519491231002X"


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def _shipped_rules(db):
    """Complaint deadline rules and credit rules come from data migrations, which a transactional test anywhere in
    the suite flushes from a reused database: load them again where they are missing."""
    from zhifa.testing import restore_default_rows

    restore_default_rows("zhifa.complaints.migrations.0002_default_deadline_rules",
                         "zhifa.credit.migrations.0002_default_rules")


@pytest.fixture
def people(world):
    """One record of each kind that shows a natural person, and an organisation's record of the same kind."""
    officer = world.users["officer"]
    person = PersonPartyFactory(organisation=world.brigade_a, name="王建国", id_number=ID_NUMBER, phone="13912345678")
    firm = OrgPartyFactory(organisation=world.brigade_a)
    complaint = complaints.complaint_intake(actor=officer, organisation=world.brigade_a, channel="12328", content="出租车拒载",
                                            complainant_name="赵投诉", complainant_phone="13700001111")
    anonymous = complaints.complaint_intake(actor=officer, organisation=world.brigade_a, channel="12328", content="匿名反映绕路")
    mediation = complaints.mediation_apply(actor=officer, organisation=world.brigade_a, kind="freight", applicant=person,
                                           respondent=firm, applied_on=date(2026, 10, 8), claim="退还多收运费")
    firms_mediation = complaints.mediation_apply(actor=officer, organisation=world.brigade_a, kind="freight", applicant=firm,
                                                 respondent=OrgPartyFactory(organisation=world.brigade_a), applied_on=date(2026, 10, 8),
                                                 claim="货损赔偿")
    supervisor = training.supervisor_create(actor=world.users["head"], organisation=world.county_a, name="钱监督", phone="13600002222",
                                            appointed_on=date(2026, 1, 1), term_ends_on=date(2027, 12, 31))
    return {
        "person": person, "firm": firm, "driver": DriverFactory(organisation=world.brigade_a),
        "vehicle": VehicleFactory(organisation=world.brigade_a, owner=person), "firm_vehicle": VehicleFactory(organisation=world.brigade_a, owner=firm),
        "complaint": complaint, "anonymous": anonymous, "mediation": mediation, "firms_mediation": firms_mediation,
        "supervisor": supervisor, "soft": SoftMeasureFactory(organisation=world.brigade_a, party=person),
        "firm_soft": SoftMeasureFactory(organisation=world.brigade_a, party=firm), "application": PermitApplicationFactory(organisation=world.brigade_a, applicant=person),
        "firm_application": PermitApplicationFactory(organisation=world.brigade_a, applicant=firm),
    }


@pytest.fixture
def documents(world, people):
    """Issued documents naming the person and the firm (rendering a PDF takes a while: only where needed)."""
    officer, person = world.users["officer"], people["person"]
    people["doc_person"] = document_issue(actor=officer, organisation=world.brigade_a, kind="penalty_decision", subject=person,
                                          context=context_for("penalty_decision", party_kind="person", party_name=person.name,
                                                              party_id_number=ID_NUMBER, party_credit_code=""))
    people["doc_firm"] = document_issue(actor=officer, organisation=world.brigade_a, kind="penalty_decision", subject=people["firm"],
                                        context=context_for("penalty_decision"))
    return people


# (who, url template, object key) → one event for the object per view
LOGGED = [
    ("officer", "/registers/parties/{person}/", "person"),
    ("officer", "/registers/parties/{firm}/", "firm"),  # names the legal representative, with phone and address
    ("officer", "/registers/drivers/{driver}/", "driver"),
    ("officer", "/registers/vehicles/{vehicle}/", "vehicle"),
    ("officer", "/credit/parties/{person}/", "person"),
    ("officer", "/complaints/r/complaints/{complaint}/", "complaint"),
    ("officer", "/complaints/r/mediations/{mediation}/", "mediation"),
    ("officer", "/complaints/r/soft/{soft}/", "soft"),
    ("head", "/training/r/supervisors/{supervisor}/", "supervisor"),
    ("officer", "/permits/{application}/", "application"),
    ("officer", "/documents/{doc_person}/pdf/", "doc_person"),
    ("officer", "/documents/{doc_person}/docx/", "doc_person"),
    ("api:officer", "/api/v1/core/parties/{person}", "person"),
    ("api:officer", "/api/v1/core/drivers/{driver}", "driver"),
    ("api:officer", "/api/v1/core/parties/{person}/history", "person"),
    ("api:officer", "/api/v1/permits/applications/{application}", "application"),
    ("api:head", "/api/v1/training/supervisors/{supervisor}", "supervisor"),
]

# Lists show masked data, and organisations' records are not personal data: nothing is recorded.
NOT_LOGGED = [
    ("officer", "/registers/parties/"),
    ("officer", "/registers/drivers/"),
    ("officer", "/registers/vehicles/{firm_vehicle}/"),
    ("officer", "/credit/parties/{firm}/"),
    ("officer", "/complaints/r/complaints/"),
    ("officer", "/complaints/r/complaints/{anonymous}/"),
    ("officer", "/complaints/r/mediations/{firms_mediation}/"),
    ("officer", "/complaints/r/soft/{firm_soft}/"),
    ("head", "/training/r/supervisors/"),
    ("officer", "/permits/"),
    ("officer", "/permits/{firm_application}/"),
    ("officer", "/documents/{doc_firm}/pdf/"),
    ("officer", "/documents/{doc_person}/"),  # the document's metadata page names nobody
    ("api:officer", "/api/v1/core/parties/"),
    ("api:officer", "/api/v1/core/drivers/"),
    ("api:officer", "/api/v1/complaints/complaints/{complaint}"),  # the API leaves the complainant out
    ("api:officer", "/api/v1/permits/applications"),
    ("api:head", "/api/v1/training/supervisors/"),
]


def _objects(request, template, people):
    return request.getfixturevalue("documents") if "{doc_" in template else people


def _client(who, client_for, api_for):
    kind, _, key = who.rpartition(":")
    return api_for(key) if kind == "api" else client_for(key)


def _url(template, people):
    return template.format(**{k: v.pk for k, v in people.items()})


@pytest.mark.parametrize("who,template,key", LOGGED, ids=[t for _, t, _ in LOGGED])
def test_each_view_of_personal_data_is_recorded(request, world, people, client_for, api_for, who, template, key):
    people = _objects(request, template, people)
    client = _client(who, client_for, api_for)
    url = _url(template, people)
    subject = people[key]
    events = Event.objects.filter(action=PERSONAL_VIEW, subject_id=str(subject.pk), subject_type=subject._meta.label_lower)
    for n in (1, 2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert events.count() == n  # one event per view, not per field or per request part
    event = events.last()
    user = world.users[who.rpartition(":")[2]]
    assert event.actor_id == user.pk and event.changes["path"] == url
    assert ("接口" if url.startswith("/api/") else "页面") in event.summary
    assert ID_NUMBER not in event.summary  # the record names whom, without copying the data itself
    assert verify().ok


@pytest.mark.parametrize("who,template", NOT_LOGGED, ids=[t for _, t in NOT_LOGGED])
def test_lists_and_organisations_write_no_view_event(request, world, people, client_for, api_for, who, template):
    people = _objects(request, template, people)
    client = _client(who, client_for, api_for)
    before = Event.objects.filter(action=PERSONAL_VIEW).count()
    response = client.get(_url(template, people))
    assert response.status_code == 200
    assert Event.objects.filter(action=PERSONAL_VIEW).count() == before


def test_party_list_api_masks_the_id_number(people, api_for):
    items = api_for("officer").get("/api/v1/core/parties/").json()["items"]
    row = next(i for i in items if i["id"] == people["person"].pk)
    assert row["id_number"] == "110105********002X"
    assert api_for("officer").get(f"/api/v1/core/parties/{people['person'].pk}").json()["id_number"] == ID_NUMBER


def test_another_jurisdiction_sees_nothing_and_nothing_is_recorded(people, client_for, api_for):
    before = Event.objects.filter(action=PERSONAL_VIEW).count()
    assert client_for("officer_b").get(f"/registers/parties/{people['person'].pk}/").status_code == 404
    assert api_for("officer_b").get(f"/api/v1/core/parties/{people['person'].pk}").status_code == 404
    assert Event.objects.filter(action=PERSONAL_VIEW).count() == before

