from datetime import date

import pytest

from zhifa.core.models import Event
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.permits import services as permits
from zhifa.permits.tests.factories import PermitItemFactory
from zhifa.portal import services
from zhifa.portal.deident import Deidentifier, mask_name
from zhifa.portal.models import Publication

P = Publication.Status
ID_NUMBER = "11010519491231002X"


def _granted(world, *, party, on=date(2026, 9, 30), content=""):
    officer = world.users["officer"]
    app = permits.application_submit(actor=officer, organisation=world.brigade_a, item=PermitItemFactory(), applicant=party,
                                     submitted_on=date(2026, 9, 28), content=content)
    permits.application_accept(actor=officer, application=app, on=date(2026, 9, 29))
    return permits.application_decide(actor=officer, application=app, on=on, approve=True)


@pytest.fixture
def person(world):
    return PersonPartyFactory(organisation=world.brigade_a, name="王建国", id_number=ID_NUMBER, phone="13912345678", address="南召县城关镇幸福路8号")


def test_guoban_2018_118_decision_of_0930_public_by_1015_without_id_number(world, person, client):
    # 国办发〔2018〕118号: permit/penalty decisions published within 7 working days; 2026-09-30 + 7 = 2026-10-15.
    app = _granted(world, party=person, content=f"申请人王建国（身份证{ID_NUMBER}，电话13912345678）申请普通货运")
    counts = services.publication_run(today=date(2026, 10, 8))
    assert counts["published"] == 1
    pub = Publication.objects.get(subject_id=str(app.pk))
    assert pub.due_on == date(2026, 10, 15) and pub.published_on <= date(2026, 10, 15) and not pub.is_late
    page = client.get(f"/portal/decisions/{pub.pk}/").content.decode()
    listing = client.get("/portal/decisions/?q=" + app.decision_number).content.decode()
    assert app.decision_number in page and pub.title in listing
    for secret in (ID_NUMBER, "13912345678", "幸福路8号", "王建国"):
        assert secret not in page and secret not in listing
    assert "王＊＊" in page
    assert Event.objects.filter(action="publication.publish", subject_id=str(pub.pk)).exists()


def test_xingzheng_chufa_fa_art48_revoked_decision_withdrawn_within_3_working_days(world, person, client):
    app = _granted(world, party=person)
    services.publication_run(today=date(2026, 10, 8))
    pub = Publication.objects.get(subject_id=str(app.pk))
    permits.application_revoke(actor=world.users["head"], application=app, on=date(2026, 10, 16), reason="以欺骗手段取得许可")
    counts = services.publication_run(today=date(2026, 10, 19))
    pub.refresh_from_db()
    assert counts["withdrawn"] == 1 and pub.status == P.WITHDRAWN
    assert pub.withdraw_due == date(2026, 10, 21) and pub.withdrawn_on <= pub.withdraw_due and not pub.withdraw_late
    assert client.get(f"/portal/decisions/{pub.pk}/").status_code == 404
    assert Event.objects.filter(action="publication.withdrawn", subject_id=str(pub.pk)).exists()


def test_late_publication_is_flagged(world, person):
    app = _granted(world, party=person)
    services.publication_run(today=date(2026, 10, 20))
    assert Publication.objects.get(subject_id=str(app.pk)).is_late


def test_run_is_idempotent(world, person):
    _granted(world, party=person)
    services.publication_run(today=date(2026, 10, 8))
    events = Event.objects.count()
    assert services.publication_run(today=date(2026, 10, 9)) == {"published": 0, "review": 0, "withdrawn": 0, "expired": 0, "repaired": 0,
                                                              "performed": 0}
    assert Event.objects.count() == events


def test_flagged_text_waits_for_review_then_officer_releases(world, person, client_for, client):
    app = _granted(world, party=person, content="车辆停放于南召县白河路12号，银行账号6222021234567890123")
    services.publication_run(today=date(2026, 10, 8))
    pub = Publication.objects.get(subject_id=str(app.pk))
    assert pub.status == P.REVIEW and pub.flags
    assert client.get(f"/portal/decisions/{pub.pk}/").status_code == 404
    officer = client_for("officer")
    data = {"edited": "1", **{f"section_{i}": text for i, (_, text) in enumerate(pub.body)}}
    data["section_2"] = "普通货运（地址、账号已删除）"
    assert officer.post(f"/portal/office/{pub.pk}/release/", data).status_code == 302
    pub.refresh_from_db()
    assert pub.status == P.PUBLISHED and pub.reviewed_by == world.users["officer"]
    assert "6222021234567890123" not in client.get(f"/portal/decisions/{pub.pk}/").content.decode()


def test_release_by_other_county_refused_and_nothing_changes(world, person, client_for):
    app = _granted(world, party=person, content="南召县白河路12号")
    services.publication_run(today=date(2026, 10, 8))
    pub = Publication.objects.get(subject_id=str(app.pk))
    assert client_for("officer_b").post(f"/portal/office/{pub.pk}/release/").status_code == 404
    pub.refresh_from_db()
    assert pub.status == P.REVIEW


def test_take_down_at_public_until_and_after_credit_repair(world):
    a = _granted(world, party=OrgPartyFactory(organisation=world.brigade_a))
    b = _granted(world, party=OrgPartyFactory(organisation=world.brigade_a))
    services.publication_run(today=date(2026, 10, 8))
    pa = Publication.objects.get(subject_id=str(a.pk))
    services.publication_take_down_repaired(actor=None, subject_type="permits.permitapplication", subject_id=str(b.pk), today=date(2027, 1, 5))
    services.publication_run(today=date(2029, 10, 1))  # public_until = 2026-09-30 + 1095 days = 2029-09-29
    pa.refresh_from_db()
    assert pa.status == P.EXPIRED
    assert Publication.objects.get(subject_id=str(b.pk)).status == P.REPAIRED


def test_organisation_names_not_masked_but_persons_are(world):
    d = Deidentifier.load()
    cleaned = d.clean(f"当事人张三丰，身份证号{ID_NUMBER}，联系电话0377-66012345，住址：南召县城关镇", persons=["张三丰"])
    assert "张＊＊" in cleaned.text and ID_NUMBER not in cleaned.text and "66012345" not in cleaned.text and "城关镇" not in cleaned.text
    assert mask_name("李明") == "李＊"


def test_credit_repair_in_the_credit_app_takes_the_publication_down(world, client):
    from django.apps import apps

    try:
        CreditPublication = apps.get_model("credit", "CreditPublication")
    except LookupError:
        pytest.skip("credit.CreditPublication not available")
    firm = OrgPartyFactory(organisation=world.brigade_a)
    app = _granted(world, party=firm)
    services.publication_run(today=date(2026, 10, 8))
    pub = Publication.objects.get(subject_id=str(app.pk))
    CreditPublication.objects.create(party=firm, organisation=world.brigade_a, decision_number=app.decision_number, decision_date=app.decided_on,
                                     summary="x", status="withdrawn", withdrawn_on=date(2027, 1, 4),
                                     source_type="permits.permitapplication", source_id=str(app.pk))
    assert services.publication_run(today=date(2027, 1, 5))["repaired"] == 1
    pub.refresh_from_db()
    assert pub.status == P.REPAIRED and pub.withdrawn_on == date(2027, 1, 5)
    assert client.get(f"/portal/decisions/{pub.pk}/").status_code == 404
    assert Event.objects.filter(action="publication.repaired", subject_id=str(pub.pk)).exists()


def test_pipl_natural_persons_plates_are_not_published(world, person, client):
    """Regression (issue 17): natural persons' plates were published next to their masked names (3 of 243)."""
    own = _granted(world, party=person, content="王建国名下豫R·A1234（黄牌）、豫RB5678和新能源车豫RD12345从事普通货运")
    firm = _granted(world, party=OrgPartyFactory(organisation=world.brigade_a, name="南召县顺达运输有限公司"),
                    content="南召县顺达运输有限公司所属豫R·C9999从事普通货运")
    services.publication_run(today=date(2026, 10, 8))
    page = client.get(f"/portal/decisions/{Publication.objects.get(subject_id=str(own.pk)).pk}/").content.decode()
    for plate in ("A1234", "B5678", "D12345"):
        assert plate not in page
    assert "王＊＊名下（号牌已删除）" in page
    firm_page = client.get(f"/portal/decisions/{Publication.objects.get(subject_id=str(firm.pk)).pk}/").content.decode()
    assert "豫R·C9999" in firm_page  # an organisation's vehicle is no personal data
