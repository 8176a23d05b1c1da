import pytest
from django.apps import apps

from zhifa.core.errors import NotPermitted
from zhifa.core.models import Event
from zhifa.permits import services
from zhifa.permits.models import PermitItem


def test_items_follow_the_power_list(world, client_for):
    try:
        Power = apps.get_model("oversight", "Power")
    except LookupError:
        pytest.skip("oversight.Power not available")
    common = {"organisation": world.county_a, "legal_basis": "《中华人民共和国道路运输条例》第二十一条", "responsible_unit": "许可科", "remedy": "行政复议、行政诉讼"}
    Power.objects.create(code="XK-A1", kind="licensing", name="道路货物运输经营许可（县级）", **common)
    Power.objects.create(code="CF-1", kind="penalty", name="未取得道路运输经营许可擅自从事经营", **common)
    with pytest.raises(NotPermitted):
        services.items_sync_from_power_list(actor=world.users["officer"])
    counts = services.items_sync_from_power_list(actor=world.users["admin"])
    assert counts == {"created": 1, "updated": 0, "deactivated": 0}
    item = PermitItem.objects.get(power_code="XK-A1")
    assert item.name == "道路货物运输经营许可（县级）" and item.is_active
    Power.objects.filter(code="XK-A1").update(is_active=False)
    assert client_for("admin").post("/permits/items/").status_code == 302
    item.refresh_from_db()
    assert not item.is_active
    assert Event.objects.filter(action="permit_item.sync").count() == 2
