"""The history steps of plans, inspections, warnings and leads (``core.workflow``): every move appends one row
beside its full-process record, and the detail pages show them as 流转记录."""

from datetime import date, timedelta

import pytest

from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory
from zhifa.inspections import services
from zhifa.inspections.models import Inspection, Lead, Plan, ProvincialWarning

from .factories import InspectionItemFactory

pytestmark = pytest.mark.django_db


def _drawn_plan(world, n=1):
    for _ in range(n):
        CompanyFactory(organisation=world.brigade_a, kind="freight")
    head = world.users["head"]
    plan = services.plan_create(
        actor=head,
        organisation=world.county_a,
        title="双随机抽查",
        items=[InspectionItemFactory(organisation=world.county_a)],
        target_types=["freight"],
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
        target_count=n,
    )
    plan = services.plan_commit_seed(actor=head, plan=plan)
    services.plan_draw(actor=head, plan=plan)
    return plan


def _record(insp, finding, ok):
    checks = {i.pk: (ok, "" if ok else "未建立动态监控值班制度") for i in insp.plan.items.all()}
    return services.inspection_record(
        actor=insp.inspectors.first().user,
        inspection=insp,
        on=date.today(),
        checks=checks,
        finding=finding,
        problems="" if ok else "未建立动态监控值班制度",
    )


def test_plan_and_inspection_moves_append_steps_and_the_pages_show_them(world, client_for):
    plan = _drawn_plan(world)
    insp = plan.inspections.get()
    _record(insp, Inspection.Finding.PASS, ok=True)
    services.plan_publish_results(actor=world.users["head"], plan=plan)
    steps = list(plan.steps.all())
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("plan_create", "", Plan.Status.DRAFT),
        ("seed_commit", Plan.Status.DRAFT, Plan.Status.COMMITTED),
        ("draw", Plan.Status.COMMITTED, Plan.Status.DRAWN),
        ("complete", Plan.Status.DRAWN, Plan.Status.COMPLETED),
        ("publish", Plan.Status.COMPLETED, Plan.Status.PUBLISHED),
    ]
    assert steps[3].actor is None and steps[4].actor == world.users["head"]  # the system completes the plan
    assert not any(plan.seed in s.note for s in steps)  # the step, like the record, never shows the seed
    # One step per recorded move, beside its record.
    assert Event.objects.filter(subject_type="inspections.plan", subject_id=str(plan.pk)).count() == len(
        steps
    )
    assert [(s.action, s.to_status) for s in insp.steps.all()] == [("inspect", Inspection.Status.CLOSED)]
    c = client_for("head")
    page = c.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert (
        "流转记录" in page and "公示抽查结果" in page and "检查完毕" in page and "已抽取 → 检查完成" in page
    )
    page = c.get(f"/inspections/inspections/{insp.pk}/").content.decode()
    assert "流转记录" in page and "录入检查结果" in page and "待检查 → 已办结" in page


def test_redraw_cancels_with_a_step(world):
    plan = _drawn_plan(world, n=2)
    first = list(plan.inspections.all())
    services.draw_redo(actor=world.users["head"], plan=plan, reason="名录数据错误")
    assert [s.action for s in plan.steps.all()][-1] == "redraw"
    for insp in first:
        assert [(s.action, s.to_status) for s in insp.steps.all()] == [
            ("cancel", Inspection.Status.CANCELLED)
        ]


def test_finding_lead_registered_for_a_case_with_steps(world):
    plan = _drawn_plan(world)
    insp = plan.inspections.get()
    _record(insp, Inspection.Finding.CASE, ok=False)
    lead = Lead.objects.get(source_type="inspection", source_id=str(insp.pk))
    assert lead.status == Lead.Status.REGISTERED and lead.case_ref
    assert [(s.action, s.from_status, s.to_status) for s in lead.steps.all()] == [
        ("lead_create", "", Lead.Status.PENDING),
        ("lead_register", Lead.Status.PENDING, Lead.Status.REGISTERED),
    ]
    assert lead.case_ref in lead.steps.last().note
    event = Event.objects.get(action="inspections.lead_register")
    assert event.changes["status"] == [Lead.Status.PENDING, Lead.Status.REGISTERED]
    assert Event.objects.filter(action="inspections.lead_create", subject_id=str(lead.pk)).count() == 1


def test_class3_warning_without_firm_closes_its_lead_with_steps(world, client_for):
    officer = world.users["officer"]
    services.warning_import(
        actor=officer,
        organisation=world.brigade_a,
        source="api",
        rows=[
            {
                "external_id": "HN-YJ-3",
                "warning_class": 3,
                "category": "非法营运",
                "description": "疑似非法营运",
                "occurred_at": "2026-03-05T10:00:00+08:00",
            }
        ],
    )
    w = ProvincialWarning.objects.get(external_id="HN-YJ-3")
    lead = services.warning_refer(actor=officer, warning=w)
    assert lead.status == Lead.Status.PENDING  # no firm: no case can be registered
    services.warning_close(actor=officer, warning=w, result="现场核查，车辆已驶离")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.HANDLED
    assert [s.action for s in lead.steps.all()] == ["lead_create", "lead_handle"]
    assert [(s.action, s.to_status) for s in w.steps.all()] == [
        ("warning_refer", "referred"),
        ("warning_close", "closed"),
    ]
    page = client_for("officer").get(f"/inspections/warnings/{w.pk}/").content.decode()
    assert "流转记录" in page and "移交立案" in page and "已移交立案 → 已办结" in page
