"""The officer pages and the public pages of random inspection: the whole cycle through the UI, and
jurisdiction (another county's plan is a 404)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import services
from zhifa.inspections.models import Inspection, Plan

from .factories import InspectionItemFactory, RiskPointFactory

pytestmark = pytest.mark.django_db


def test_plan_cycle_through_ui(world, client_for):
    for _ in range(5):
        CompanyFactory(organisation=world.brigade_a, kind="freight")
    item = InspectionItemFactory(organisation=world.county_a)
    RiskPointFactory(item=item)
    head = client_for("head")
    r = head.post("/inspections/plans/new/", {"title": "货运企业抽查", "target_types": ["freight"], "items": [item.pk], "target_count": 2,
                                              "inspectors_per_target": 2, "starts_on": date.today(), "ends_on": date.today() + timedelta(days=10)})
    plan = Plan.objects.get()
    assert r.status_code == 302
    head.post(f"/inspections/plans/{plan.pk}/commit/")
    head.post(f"/inspections/plans/{plan.pk}/draw/")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAWN
    page = head.get(f"/inspections/plans/{plan.pk}/")
    assert page.status_code == 200 and plan.seed_sha256 in page.content.decode()
    d = plan.current_draw
    assert "复核通过" in head.get(f"/inspections/draws/{d.pk}/verify/").content.decode()
    # Redraw without a reason through the UI: refused, nothing changes.
    head.post(f"/inspections/plans/{plan.pk}/redraw/", {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAWN
    for insp in plan.inspections.all():
        user = insp.inspectors.first().user
        c = Client()
        c.force_login(user)
        assert c.get(f"/inspections/inspections/{insp.pk}/").status_code == 200
        r = c.post(f"/inspections/inspections/{insp.pk}/", {f"item_{item.pk}": "1", "finding": "pass", "on": date.today().isoformat()})
        assert r.status_code == 302, r.content.decode()[:500]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.COMPLETED
    head.post(f"/inspections/plans/{plan.pk}/publish/")
    anon = Client()
    assert plan.title in anon.get("/inspections/public/results/").content.decode()
    public = anon.get(f"/inspections/public/results/{plan.pk}/").content.decode()
    assert "合格" in public and d.seed in public
    assert "车辆超限超载运输风险" in anon.get("/inspections/public/risk-points/").content.decode()


def test_pages_render_and_other_county_gets_404(world, client_for):
    CompanyFactory(organisation=world.brigade_a, kind="freight")
    CompanyFactory(organisation=world.brigade_a, kind="freight")
    item = InspectionItemFactory(organisation=world.county_a)
    plan = services.plan_create(actor=world.users["head"], organisation=world.county_a, title="抽查", items=[item], target_types=["freight"],
                                starts_on=date.today(), ends_on=date.today(), target_count=1)
    officer = client_for("officer")
    for url in ("/inspections/", "/inspections/catalogue/", "/inspections/warnings/", "/inspections/leads/", f"/inspections/plans/{plan.pk}/",
                "/inspections/plans/new/"):
        assert officer.get(url).status_code == 200, url
    assert client_for("officer_b").get(f"/inspections/plans/{plan.pk}/").status_code == 404
    assert Client().get("/inspections/public/results/999/").status_code == 404  # unpublished or missing


def test_follow_up_and_open_case_through_ui(world, client_for):
    CompanyFactory(organisation=world.brigade_a, kind="freight")
    item = InspectionItemFactory(organisation=world.county_a)
    head = world.users["head"]
    plan = services.plan_create(actor=head, organisation=world.county_a, title="抽查", items=[item], target_types=["freight"],
                                starts_on=date.today(), ends_on=date.today(), target_count=1)
    services.plan_commit_seed(actor=head, plan=plan)
    services.plan_draw(actor=head, plan=plan)
    insp = plan.inspections.get()
    user = insp.inspectors.first().user
    services.inspection_record(actor=user, inspection=insp, on=date.today(), checks={item.pk: (False, "无安全例会记录")},
                               finding=Inspection.Finding.RECTIFY)
    c = Client()
    c.force_login(user)
    assert "一键移送立案" in c.get(f"/inspections/inspections/{insp.pk}/").content.decode()
    c.post(f"/inspections/inspections/{insp.pk}/open-case/")
    insp.refresh_from_db()
    assert insp.status == Inspection.Status.REFERRED
