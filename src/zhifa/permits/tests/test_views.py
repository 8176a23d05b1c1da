from datetime import date

from zhifa.core.tests.factories import OrgPartyFactory
from zhifa.permits.models import PermitApplication
from zhifa.permits.tests.factories import PermitItemFactory


def test_create_accept_decide_through_pages(world, client_for):
    client = client_for("officer")
    party = OrgPartyFactory(organisation=world.brigade_a)
    item = PermitItemFactory()
    r = client.post("/permits/new/", {"item": item.pk, "applicant_identifier": party.credit_code, "submitted_on": "2026-09-28", "content": "货运"})
    assert r.status_code == 302
    app = PermitApplication.objects.get()
    assert client.post(f"/permits/{app.pk}/accept/", {"on": "2026-09-30"}).status_code == 302
    assert client.post(f"/permits/{app.pk}/approve/", {"on": "2026-10-09"}).status_code == 302
    app.refresh_from_db()
    assert app.status == "approved" and app.decided_on == date(2026, 10, 9)
    page = client.get(f"/permits/{app.pk}/").content.decode()
    assert app.certificate_number in page
    assert "按时办结" in client.get("/permits/statistics/?start=2026-01-01&end=2026-12-31").content.decode()


def test_other_county_gets_404(world, client_for):
    app = PermitApplication.objects.create(organisation=world.brigade_a, item=PermitItemFactory(), applicant=OrgPartyFactory(organisation=world.brigade_a),
                                           number="XKX1", submitted_on=date(2026, 9, 1))
    assert client_for("officer_b").get(f"/permits/{app.pk}/").status_code == 404
    assert client_for("officer").get(f"/permits/{app.pk}/").status_code == 200


def test_detail_shows_its_publication(world, client_for):
    from zhifa.permits import services
    from zhifa.portal import services as portal

    officer = world.users["officer"]
    app = services.application_submit(actor=officer, organisation=world.brigade_a, item=PermitItemFactory(),
                                      applicant=OrgPartyFactory(organisation=world.brigade_a), submitted_on=date(2026, 9, 28))
    services.application_accept(actor=officer, application=app, on=date(2026, 9, 29))
    services.application_decide(actor=officer, application=app, on=date(2026, 9, 30), approve=True)
    assert "待公开" in client_for("officer").get(f"/permits/{app.pk}/").content.decode()
    portal.publication_run(today=date(2026, 10, 9))
    page = client_for("officer").get(f"/permits/{app.pk}/").content.decode()
    assert "应于 2026-10-15 前公开" in page and "2026-10-09 已公开" in page
