from datetime import date

from zhifa.core.tests.factories import OrgPartyFactory
from zhifa.permits import services
from zhifa.permits.tests.factories import PermitItemFactory


def test_list_scoped_and_statistics(world, api_for):
    officer = world.users["officer"]
    app = services.application_submit(actor=officer, organisation=world.brigade_a, item=PermitItemFactory(),
                                      applicant=OrgPartyFactory(organisation=world.brigade_a), submitted_on=date(2026, 3, 2))
    data = api_for("officer").get("/api/v1/permits/applications").json()
    assert [i["number"] for i in data["items"]] == [app.number]
    assert api_for("officer_b").get("/api/v1/permits/applications").json()["items"] == []
    assert api_for("officer_b").get(f"/api/v1/permits/applications/{app.pk}").status_code == 404
    stats = api_for("officer").get("/api/v1/permits/statistics?start=2026-01-01&end=2026-12-31").json()
    assert stats["received"] == 1 and stats["on_time_rate"] is None
