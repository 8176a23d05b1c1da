"""权责清单: the shipped list, dynamic adjustment with history (versioned, who/when/why), cancellation, the
public page, and the link from the violation catalogue to its power."""

from pathlib import Path

import pytest
import yaml
from django.test import Client

from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.oversight import loader, selectors, services
from zhifa.oversight.models import Power, PowerRevision

pytestmark = pytest.mark.django_db


def _load(world):
    return loader.load_powers(actor=world.users["admin"], bureau=world.county_a, brigade=world.brigade_a, reason="年度权责清单梳理", authority="召编办〔2026〕1号")


def test_shipped_list_has_every_kind_and_real_bases(world):
    rows = loader.power_rows()
    assert len(rows) >= 60
    assert {r["kind"] for r in rows} == set(Power.Kind.values)
    assert all(r["legal_basis"] and r["remedy"] and r["process"] for r in rows)
    assert _load(world) == len(rows)
    assert _load(world) == 0  # loading again adds nothing
    fine = Power.objects.get(organisation=world.county_a, violation_codes="CX-001")
    assert "公路安全保护条例》第六十四条" in fine.legal_basis and fine.basis_verified
    assert fine.responsible_unit == world.brigade_a.name
    assert Power.objects.get(organisation=world.county_a, code="XK-001").responsible_unit == world.county_a.name


def test_every_catalogue_violation_links_to_a_power(world):
    catalogue = yaml.safe_load((Path(loader.__file__).parents[1] / "discretion" / "data" / "catalogue_national.yaml").read_text(encoding="utf-8"))
    _load(world)
    for item in catalogue["items"]:
        powers = selectors.powers_for_violation(item["code"])
        assert powers.count() == 1, item["code"]
        assert powers.get().kind == Power.Kind.PENALTY


def test_adjustment_appends_a_version_with_who_and_why(world):
    _load(world)
    power = Power.objects.get(organisation=world.county_a, code="XK-002")
    services.power_update(actor=world.users["head"], power=power, reason="压缩办理时限", authority="召编办〔2026〕3号", time_limit="5个工作日")
    power.refresh_from_db()
    assert power.version == 2 and power.time_limit == "5个工作日"
    rev = power.revisions.get(version=2)
    assert rev.change == PowerRevision.Change.AMEND and rev.actor == world.users["head"] and rev.reason == "压缩办理时限"
    assert list(rev.changes) == ["time_limit"] and rev.snapshot["time_limit"] == "5个工作日"
    with pytest.raises(DomainError):
        services.power_update(actor=world.users["head"], power=power, reason="无变化", time_limit="5个工作日")
    with pytest.raises(DomainError):
        services.power_update(actor=world.users["head"], power=power, reason="", time_limit="3个工作日")


def test_officer_cannot_adjust_and_other_county_cannot_see(world):
    _load(world)
    power = Power.objects.get(organisation=world.county_a, code="CF-001")
    with pytest.raises(NotPermitted):
        services.power_update(actor=world.users["officer"], power=power, reason="x", name="y")
    assert not selectors.powers_for(world.users["officer_b"]).exists()


def test_cancel_removes_from_public_page_but_keeps_history(world):
    _load(world)
    power = Power.objects.get(organisation=world.county_a, code="QR-003")
    services.power_cancel(actor=world.users["admin"], power=power, reason="不再列入指导目录")
    power.refresh_from_db()
    assert not power.is_active and power.revisions.count() == 2
    with pytest.raises(TransitionNotAllowed):
        services.power_update(actor=world.users["admin"], power=power, reason="x", name="y")
    client = Client()
    page = client.get("/oversight/public/powers/", {"q": power.name})
    assert page.status_code == 200 and page.context["page"].paginator.count == 0
    assert client.get(f"/oversight/public/powers/{power.pk}/").status_code == 404


def test_public_page_needs_no_login_and_filters_by_kind(world):
    _load(world)
    client = Client()
    page = client.get("/oversight/public/powers/", {"kind": "licensing"})
    body = page.content.decode()
    assert page.status_code == 200 and "道路旅客运输经营许可" in body and "对车辆违法超限运输" not in body
    detail = client.get(f"/oversight/public/powers/{Power.objects.get(organisation=world.county_a, code='CF-001').pk}/").content.decode()
    assert "救济途径" in detail and "行政复议" in detail
