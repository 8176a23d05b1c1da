import json
from datetime import date

from zhifa.core.tests.factories import PersonPartyFactory
from zhifa.portal import services
from zhifa.portal.tests.test_publication import ID_NUMBER, _granted


def test_public_api_without_login_has_only_deidentified_fields(world, client, api_for):
    person = PersonPartyFactory(organisation=world.brigade_a, name="周星星", id_number=ID_NUMBER)
    _granted(world, party=person, content=f"身份证{ID_NUMBER}")
    services.publication_run(today=date(2026, 10, 8))
    response = client.get("/api/v1/portal/public/decisions")
    assert response.status_code == 200
    text = json.dumps(response.json(), ensure_ascii=False)
    assert ID_NUMBER not in text and "周星星" not in text and "周＊＊" in text
    assert len(response.json()["items"]) == 1
    assert client.get("/api/v1/portal/publications").status_code == 401
    assert len(api_for("officer").get("/api/v1/portal/publications").json()["items"]) == 1
    assert api_for("officer_b").get("/api/v1/portal/publications").json()["items"] == []
