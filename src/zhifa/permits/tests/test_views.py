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
