"""Roles and jurisdiction: a user of county A never sees county B's data — 404, not 403 (no existence leak)."""

import pytest

from zhifa.core.tests.factories import OfficerFactory, PersonPartyFactory, VehicleFactory


@pytest.fixture
def county_b_objects(world):
    return {
        "officers": world.officers["officer_b"],
        "vehicles": VehicleFactory(organisation=world.brigade_b),
        "parties": PersonPartyFactory(organisation=world.brigade_b),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["officers", "vehicles", "parties"])
def test_ui_detail_of_other_county_is_404(world, client_for, county_b_objects, key):
    obj = county_b_objects[key]
    assert client_for("officer").get(f"/registers/{key}/{obj.pk}/").status_code == 404
    assert client_for("officer_b").get(f"/registers/{key}/{obj.pk}/").status_code == 200
    # The city (parent jurisdiction) sees both counties.
    assert client_for("supervisor").get(f"/registers/{key}/{obj.pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "route"), [("officers", "officers"), ("vehicles", "vehicles"), ("parties", "parties")])
def test_api_detail_of_other_county_is_404(world, api_for, county_b_objects, key, route):
    obj = county_b_objects[key]
    response = api_for("officer").get(f"/api/v1/core/{route}/{obj.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for("officer_b").get(f"/api/v1/core/{route}/{obj.pk}").status_code == 200


@pytest.mark.django_db
def test_lists_contain_only_own_jurisdiction(world, api_for, county_b_objects):
    VehicleFactory(organisation=world.brigade_a, plate="豫R·A0001")
    plates = {v["plate"] for v in api_for("officer").get("/api/v1/core/vehicles/").json()["items"]}
    assert plates == {"豫R·A0001"}
    page = api_for("officer").get("/ui-missing/")
    assert page.status_code == 404


@pytest.mark.django_db
def test_ui_history_of_other_county_object_is_404(world, client_for, county_b_objects):
    v = county_b_objects["vehicles"]
    assert client_for("officer").get(f"/history/core.vehicle/{v.pk}/").status_code == 404
    assert client_for("officer_b").get(f"/history/core.vehicle/{v.pk}/").status_code == 200


@pytest.mark.django_db
def test_anonymous_api_is_401_and_ui_redirects_to_login(world, client):
    assert client.get("/api/v1/core/vehicles/").status_code == 401
    response = client.get("/registers/vehicles/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_officer_cannot_register_in_another_county(world):
    from zhifa.core import services
    from zhifa.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.party_create(actor=world.users["officer"], organisation=world.brigade_b, kind="person", name="x", id_number="11010519491231002X")
    assert not world.brigade_b.parties.exists()
    assert OfficerFactory  # factory import used by other modules
