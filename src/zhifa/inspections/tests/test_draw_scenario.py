"""Acceptance: a plan drawn, verified by recomputation, inspected, a problem found, rectified and published;
a redraw without a recorded reason is impossible (优化营商环境条例 Art. 54; legal-reference §7)."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.core.roles import Role
from zhifa.core.tests.factories import CompanyFactory, OfficerFactory, UserFactory
from zhifa.inspections import draw as draw_algo
from zhifa.inspections import services
from zhifa.inspections.models import ConflictDeclaration, Draw, Inspection, Lead, Plan
from zhifa.inspections.rectification import rectification_notice_issue

from .factories import InspectionItemFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def setup(world):
    companies = [CompanyFactory(organisation=world.brigade_a, kind="freight") for _ in range(12)]
    item = InspectionItemFactory(organisation=world.county_a)
    return companies, item


def _plan(world, item, **kw):
    args = dict(actor=world.users["head"], organisation=world.county_a, title="2026年第四季度普通货运企业双随机抽查",
                items=[item], target_types=["freight"], starts_on=date.today(), ends_on=date.today() + timedelta(days=30),
                target_count=3)
    args.update(kw)
    return services.plan_create(**args)


def _checks(inspection, ok=True):
    return {i.pk: (ok, "" if ok else "未建立动态监控值班制度") for i in inspection.plan.items.all()}


def test_art54_full_cycle_draw_verify_inspect_rectify_publish(world, setup):
    companies, item = setup
    head = world.users["head"]
    plan = _plan(world, item)
    plan = services.plan_commit_seed(actor=head, plan=plan)
    assert plan.status == Plan.Status.COMMITTED and len(plan.seed_sha256) == 64
    d = services.plan_draw(actor=head, plan=plan)
    assert d.algorithm == draw_algo.ALGORITHM and d.seed_sha256 == draw_algo.seed_hash(d.seed)
    assert len(d.target_snapshot) == 12 and len(d.result["targets"]) == 3
    # Both directories are snapshotted; the inspector directory holds certified officers only.
    snap_ids = {i["officer_id"] for i in d.inspector_snapshot}
    assert world.officers["expired"].pk not in snap_ids and world.officers["officer"].pk in snap_ids
    assert world.officers["officer_b"].pk not in snap_ids  # another county's officer is not in this directory
    ok, findings = services.verify_draw(d)
    assert ok, findings
    out = io.StringIO()
    call_command("inspections", "verify-draw", str(d.pk), stdout=out)
    assert "一致" in out.getvalue()

    inspections = list(plan.inspections.all())
    assert all(i.inspectors.count() >= 2 for i in inspections)
    first, *rest = inspections
    inspector_user = first.inspectors.first().user
    services.inspection_record(actor=inspector_user, inspection=first, on=date.today(), checks=_checks(first, ok=False),
                               finding=Inspection.Finding.RECTIFY, problems="未建立动态监控值班制度", rectify_days=10,
                               photos=[(io.BytesIO(PNG), "现场.png", "image/png")])
    first.refresh_from_db()
    assert first.status == Inspection.Status.RECTIFYING and first.rectify_deadline == date.today() + timedelta(days=10)
    assert first.photos.count() == 1 and first.photos.first().evidence.sha256
    # The 责令改正违法行为通知书 carries the documents app's number (the record used to make one up).
    assert not first.notice_number
    doc = rectification_notice_issue(actor=inspector_user, subject=first, legal_basis="《道路运输车辆动态监督管理办法》")
    first.refresh_from_db()
    assert first.notice_number == doc.number and "责改〔" in doc.number
    assert rectification_notice_issue(actor=inspector_user, subject=first, legal_basis="x").pk == doc.pk
    for insp in rest:
        services.inspection_record(actor=insp.inspectors.first().user, inspection=insp, on=date.today(), checks=_checks(insp),
                                   finding=Inspection.Finding.PASS)
    plan.refresh_from_db()
    # Every drawn target inspected: the publication deadline runs from now, while rectification goes on.
    assert plan.status == Plan.Status.COMPLETED
    services.inspection_follow_up(actor=inspector_user, inspection=first, on=date.today() + timedelta(days=10), rectified=True,
                                  result="已建立值班制度并落实")
    first.refresh_from_db()
    plan.refresh_from_db()
    assert first.status == Inspection.Status.CLOSED
    assert plan.status == Plan.Status.COMPLETED and plan.publication_deadline > date.today()
    services.plan_publish_results(actor=head, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED


def test_redraw_without_reason_impossible(world, setup):
    _, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item))
    first = services.plan_draw(actor=head, plan=plan)
    before = Event.objects.count()
    for reason in ("", "   "):
        with pytest.raises(DomainError) as exc:
            services.draw_redo(actor=head, plan=plan, reason=reason)
        assert exc.value.code == "redraw_reason_required"
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAWN and Event.objects.count() == before and not Draw.objects.get(pk=first.pk).superseded
    # Nor can a second draw be forced without the recorded act (the database refuses it too).
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.COMMITTED)
    plan.refresh_from_db()
    with pytest.raises(DomainError):
        services.plan_draw(actor=head, plan=plan)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(plan=plan, sequence=2, algorithm="x", seed="s", seed_sha256="h", target_snapshot=[],
                            inspector_snapshot=[], parameters={}, result={}, result_sha256="r")


def test_redraw_with_reason_is_recorded_and_verifiable(world, setup):
    _, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item))
    first = services.plan_draw(actor=head, plan=plan)
    old_hash = plan.seed_sha256
    services.draw_redo(actor=head, plan=plan, reason="抽中对象已注销，经负责人批准重新抽取")
    plan.refresh_from_db()
    assert plan.seed_sha256 != old_hash
    second = services.plan_draw(actor=head, plan=plan)
    assert second.sequence == 2 and second.redraw_reason.startswith("抽中对象已注销")
    assert Draw.objects.get(pk=first.pk).superseded
    assert not Inspection.objects.filter(draw=first).exclude(status=Inspection.Status.CANCELLED).exists()
    # The superseded draw stays on record and still recomputes to what it drew.
    assert services.verify_draw(second)[0] and services.verify_draw(Draw.objects.get(pk=first.pk))[0]
    assert Event.objects.filter(action="inspections.redraw").count() == 1


def test_officer_cannot_redraw(world, setup):
    _, item = setup
    plan = services.plan_commit_seed(actor=world.users["head"], plan=_plan(world, item))
    services.plan_draw(actor=world.users["head"], plan=plan)
    with pytest.raises(NotPermitted):
        services.draw_redo(actor=world.users["officer"], plan=plan, reason="想换一家")


def test_tampered_draw_fails_verification(world, setup):
    _, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item))
    d = services.plan_draw(actor=head, plan=plan)
    result = d.result
    result["targets"][0]["party_id"] = d.target_snapshot[-1]["party_id"] + 1000
    Draw.objects.filter(pk=d.pk).update(result=result)
    d.refresh_from_db()
    ok, findings = services.verify_draw(d)
    assert not ok
    Draw.objects.filter(pk=d.pk).update(seed="0" * 64)
    d.refresh_from_db()
    assert "不符" in services.verify_draw(d)[1][0]


def test_two_inspectors_and_conflicts_excluded(world, setup):
    companies, item = setup
    head = world.users["head"]
    tied = world.officers["officer"]
    for c in companies:
        ConflictDeclaration.objects.create(officer=tied, party=c.party, relation="employment")
    with pytest.raises(DomainError):
        _plan(world, item, inspectors_per_target=1)
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item, target_count=6))
    d = services.plan_draw(actor=head, plan=plan)
    for t in d.result["targets"]:
        assert len(t["inspectors"]) == 2 and tied.pk not in t["inspectors"]
    # Load balanced: 12 assignments over 4 eligible certified officers (officer2, officer3, reviewer, head) → 3 each.
    loads = {}
    for t in d.result["targets"]:
        for oid in t["inspectors"]:
            loads[oid] = loads.get(oid, 0) + 1
    assert sorted(loads.values()) == [3, 3, 3, 3]


def test_last_inspector_not_drawn_again(world, setup):
    companies, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item, target_count=12))
    services.plan_draw(actor=head, plan=plan)
    last = {i.party_id: set(i.inspectors.values_list("pk", flat=True)) for i in plan.inspections.all()}
    plan2 = services.plan_commit_seed(actor=head, plan=_plan(world, item, target_count=12))
    d2 = services.plan_draw(actor=head, plan=plan2)
    for t in d2.result["targets"]:
        assert not set(t["inspectors"]) & last[t["party_id"]]


def test_general_item_ratio_capped(world, setup):
    _, _ = setup
    general = InspectionItemFactory(organisation=world.county_a, is_key=False, max_ratio_percent=Decimal("5"))
    with pytest.raises(DomainError) as exc:
        _plan(world, general, target_count=None, ratio_percent=Decimal("10"))
    assert exc.value.code == "ratio_over_cap"
    plan = _plan(world, general, target_count=None, ratio_percent=Decimal("5"))
    plan = services.plan_commit_seed(actor=world.users["head"], plan=plan)
    assert len(services.plan_draw(actor=world.users["head"], plan=plan).result["targets"]) == 1  # ceil(12 × 5 %)


def test_finding_case_registers_lead(world, setup):
    _, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item, target_count=1))
    services.plan_draw(actor=head, plan=plan)
    insp = plan.inspections.get()
    services.inspection_record(actor=insp.inspectors.first().user, inspection=insp, on=date.today(), checks=_checks(insp, ok=False),
                               finding=Inspection.Finding.CASE, problems="使用无道路运输证车辆从事经营")
    lead = Lead.objects.get(source_type="inspection", source_id=str(insp.pk))
    assert lead.party_id == insp.party_id
    from zhifa.credit.models import CreditEvent

    assert CreditEvent.objects.filter(party=insp.party, kind="finding_case").exists()


def test_only_drawn_inspectors_record(world, setup):
    _, item = setup
    head = world.users["head"]
    plan = services.plan_commit_seed(actor=head, plan=_plan(world, item, target_count=1))
    services.plan_draw(actor=head, plan=plan)
    insp = plan.inspections.get()
    drawn = set(insp.inspectors.values_list("user_id", flat=True))
    outsider_key = next(k for k in ("officer", "officer2", "officer3", "head", "reviewer") if world.users[k].pk not in drawn)
    before = Event.objects.count()
    with pytest.raises(DomainError):
        services.inspection_record(actor=world.users[outsider_key], inspection=insp, on=date.today(), checks=_checks(insp),
                                   finding=Inspection.Finding.PASS)
    insp.refresh_from_db()
    assert insp.status == Inspection.Status.ASSIGNED and Event.objects.count() == before


def test_other_county_cannot_plan(world, setup):
    _, item = setup
    officer_b = UserFactory(organisation=world.brigade_b, roles=[Role.OFFICER])
    OfficerFactory(user=officer_b, organisation=world.brigade_b)
    with pytest.raises(NotPermitted):
        _plan(world, item, actor=officer_b)


def test_seed004_many_complaints_raise_weight_from_complaints_app(world, setup):
    """Complaints registered in the complaints app (12328/12345) raise the firm's draw weight (SamplingRule)."""
    from django.utils import timezone

    from zhifa.complaints.models import Channel, Complaint

    companies, item = setup
    firm = companies[0]
    plan = _plan(world, item)
    before = next(t for t in services.target_directory(plan, date.today()) if t["party_id"] == firm.party_id)
    for n in range(3):
        Complaint.objects.create(number=f"TS{n}", organisation=world.brigade_a, channel=Channel.choices[0][0],
                                 received_at=timezone.now(), content="拒载", due_on=date.today() + timedelta(days=15), firm=firm)
    after = next(t for t in services.target_directory(plan, date.today()) if t["party_id"] == firm.party_id)
    assert before["complaints"] == 0 and after["complaints"] == 3
    assert Decimal(after["weight"]) == Decimal(before["weight"]) * Decimal("1.5")
