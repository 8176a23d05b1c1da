"""Services of the operations register: every allowed transition, forbidden ones, and that a refusal changes
nothing (no row, no step, no audit event)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.campaigns import services
from zhifa.campaigns.models import Department, Material, Operation, OperationCase, OperationStep
from zhifa.campaigns.workflow import WORKFLOW
from zhifa.cases.tests import factories as case_factories
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Event
from zhifa.core.workflow import NEW

from .factories import concluded, department, operation, started

S = Operation.Status


def _frozen(op):
    """Everything a refused call must leave as it was."""
    op.refresh_from_db()
    return (op.status, op.summary, op.vehicles_checked, op.cancel_reason, Event.objects.count(), OperationStep.objects.count(),
            OperationCase.objects.count(), Material.objects.count(), sorted(op.partner_links.values_list("department_id", flat=True)))


def test_create_records_links_step_and_audit(world):
    police, market = department(world), department(world, "南召县市场监督管理局", Department.Kind.MARKET)
    before = Event.objects.count()
    op = operation(world, partners=[police, market])
    assert op.status == S.PLANNED and op.number.startswith("LHC411321DD-")
    assert sorted(op.partner_links.values_list("department__name", flat=True)) == sorted([police.name, market.name])
    assert op.officer_links.count() == 2
    assert list(op.steps.values_list("action", "to_status")) == [("create", S.PLANNED)]
    event = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == before + 1 and event.action == "campaigns.create" and event.subject_id == str(op.pk)
    second = operation(world)
    assert second.number.endswith("-002")


def test_joint_operation_needs_another_department(world):
    before = (Operation.objects.count(), Event.objects.count())
    with pytest.raises(DomainError) as exc:
        operation(world, partners=[])
    assert exc.value.code == "partners_required"
    assert (Operation.objects.count(), Event.objects.count()) == before


def test_lead_department_counts_as_partner(world):
    airport = department(world, "机场公安分局", Department.Kind.POLICE)
    op = services.operation_create(actor=world.users["officer"], organisation=world.brigade_a, kind=Operation.Kind.JOINT, title="机场非法营运整治",
                                   starts_on=timezone.localdate(), ends_on=timezone.localdate(), location="机场", lead_department=airport)
    assert list(op.partner_links.values_list("department", flat=True)) == [airport.pk]


def test_department_of_another_county_is_refused(world):
    foreign = department(world, "方城县市场监督管理局", Department.Kind.MARKET, organisation=world.county_b)
    with pytest.raises(DomainError) as exc:
        operation(world, partners=[foreign])
    assert exc.value.code == "unknown_department"


def test_officer_of_another_county_is_refused(world):
    with pytest.raises(DomainError) as exc:
        operation(world, officers=[world.officers["officer"], world.officers["officer_b"]])
    assert exc.value.code == "officer_out_of_unit"


def test_out_of_jurisdiction_and_role(world):
    with pytest.raises(NotPermitted):
        operation(world, actor="officer_b")  # county B officer for county A's brigade
    with pytest.raises(NotPermitted):
        operation(world, actor="supervisor")  # supervisors read only
    assert not Operation.objects.exists()


def test_start_conclude_with_results_and_materials(world):
    op = started(world)
    assert op.status == S.IN_PROGRESS
    op = services.operation_conclude(actor=world.users["officer"], operation=op, summary="查处超限车辆", ends_on=op.ends_on,
                                     vehicles_checked=150, problems_found=12, problems_rectified=10, enterprises_checked=3)
    assert (op.status, op.vehicles_checked, op.problems_found, op.problems_rectified, op.concluded_on) == (
        S.CONCLUDED, 150, 12, 10, timezone.localdate())
    assert list(op.steps.values_list("to_status", flat=True)) == [S.PLANNED, S.IN_PROGRESS, S.CONCLUDED]
    assert Event.objects.filter(subject_type="campaigns.operation", subject_id=str(op.pk), action="campaigns.conclude").count() == 1

    pub = concluded(world, kind=Operation.Kind.PUBLICITY, title="路政宣传月",
                    materials={Material.Kind.LEAFLET: 300, Material.Kind.GOODS: 120, Material.Kind.BANNER: 4})
    assert dict(pub.materials.values_list("kind", "quantity")) == {"leaflet": 300, "goods": 120, "banner": 4}


@pytest.mark.parametrize("kwargs,code", [
    ({"summary": "  "}, "summary_required"),
    ({"problems_found": 2, "problems_rectified": 3}, "invalid_results"),
    ({"materials": {"leaflet": 10}}, "materials_not_publicity"),
    ({"ends_on_offset": -30}, "ends_before_start"),
])
def test_conclude_refusals_change_nothing(world, kwargs, code):
    op = started(world)
    frozen = _frozen(op)
    ends_on = op.ends_on + timedelta(days=kwargs.pop("ends_on_offset", 0))
    args = {"summary": "完成", **kwargs}
    with pytest.raises(DomainError) as exc:
        services.operation_conclude(actor=world.users["officer"], operation=op, ends_on=ends_on, **args)
    assert exc.value.code == code
    assert _frozen(op) == frozen


def test_forbidden_transitions_change_nothing(world):
    planned = operation(world)
    case = case_factories.opened(world)
    frozen = _frozen(planned)
    with pytest.raises(TransitionNotAllowed):  # planned → concluded skips the start
        services.operation_conclude(actor=world.users["officer"], operation=planned, summary="完成", ends_on=planned.ends_on)
    with pytest.raises(TransitionNotAllowed):  # no cases before the action starts
        services.operation_link_case(actor=world.users["officer"], operation=planned, case=case)
    assert _frozen(planned) == frozen

    done = concluded(world)
    frozen = _frozen(done)
    for call in (lambda: services.operation_start(actor=world.users["officer"], operation=done),
                 lambda: services.operation_cancel(actor=world.users["head"], operation=done, reason="重复登记"),
                 lambda: services.operation_update(actor=world.users["officer"], operation=done, title="改名"),
                 lambda: services.operation_conclude(actor=world.users["officer"], operation=done, summary="再次", ends_on=done.ends_on)):
        with pytest.raises(TransitionNotAllowed):
            call()
    assert _frozen(done) == frozen


def test_transition_table_covers_every_state():
    # the table is the kernel's now (registration is the move from NEW to 计划)
    reachable = {t.target for t in WORKFLOW.transitions.values() if t.target and NEW not in t.sources}
    assert reachable == {S.IN_PROGRESS, S.CONCLUDED, S.CANCELLED}
    rows = (*WORKFLOW.transitions.values(), *WORKFLOW.acts.values())
    assert all(S.CANCELLED not in t.sources for t in rows)  # a cancelled operation is final


def test_cancel_needs_head_and_reason(world):
    op = operation(world)
    frozen = _frozen(op)
    with pytest.raises(NotPermitted):
        services.operation_cancel(actor=world.users["officer"], operation=op, reason="天气")
    with pytest.raises(DomainError):
        services.operation_cancel(actor=world.users["head"], operation=op, reason=" ")
    assert _frozen(op) == frozen
    op = services.operation_cancel(actor=world.users["head"], operation=op, reason="交警部门临时抽调")
    assert (op.status, op.cancel_reason) == (S.CANCELLED, "交警部门临时抽调")


def test_stale_status_is_refused(world):
    """Two people act on the same operation: the second, holding the old state, is refused by the conditional update."""
    op = operation(world)
    stale = Operation.objects.get(pk=op.pk)
    services.operation_start(actor=world.users["officer"], operation=op)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.operation_cancel(actor=world.users["head"], operation=stale, reason="取消")
    assert exc.value.code == "concurrent_change"
    assert Operation.objects.get(pk=op.pk).status == S.IN_PROGRESS


def test_update_replaces_partners_and_officers(world):
    op = operation(world)
    market = department(world, "南召县市场监督管理局", Department.Kind.MARKET)
    services.operation_update(actor=world.users["officer"], operation=op, partners=[market], officers=[world.officers["officer3"]],
                              title="维修行业联合检查")
    op.refresh_from_db()
    assert op.title == "维修行业联合检查"
    assert list(op.partner_links.values_list("department", flat=True)) == [market.pk]
    assert list(op.officer_links.values_list("officer", flat=True)) == [world.officers["officer3"].pk]
    event = Event.objects.filter(action="campaigns.update").get()
    assert "partners" in event.changes and "officers" in event.changes and "title" in event.changes


def test_link_case_counts_only_opened_cases(world):
    op = started(world, starts_on=timezone.localdate() - timedelta(days=10))
    lead = case_factories.lead(world)  # a lead, not opened
    frozen = _frozen(op)
    with pytest.raises(DomainError) as exc:
        services.operation_link_case(actor=world.users["officer"], operation=op, case=lead)
    assert exc.value.code == "case_not_opened" and _frozen(op) == frozen
    old = case_factories.opened(world, days_ago=40)  # happened before the action
    with pytest.raises(DomainError) as exc:
        services.operation_link_case(actor=world.users["officer"], operation=op, case=old)
    assert exc.value.code == "case_before_operation"
    case = case_factories.opened(world, days_ago=3)
    services.operation_link_case(actor=world.users["officer"], operation=op, case=case)
    with pytest.raises(DomainError):
        services.operation_link_case(actor=world.users["officer"], operation=op, case=case)
    assert list(op.cases.all()) == [case]
    done = services.operation_conclude(actor=world.users["officer"], operation=op, summary="完成", ends_on=op.ends_on)
    services.operation_unlink_case(actor=world.users["officer"], operation=done, case=case)  # still correctable after the end
    assert not done.cases.exists()


def test_case_of_another_county_cannot_be_linked(world):
    from zhifa.cases import services as cs
    from zhifa.cases.models import Case
    from zhifa.core.tests.factories import PersonPartyFactory

    case = cs.lead_register(actor=world.users["officer_b"], organisation=world.brigade_b, source=Case.Source.INSPECTION,
                            party=PersonPartyFactory(organisation=world.brigade_b), occurred_at=timezone.now() - timedelta(days=1),
                            place="方城", facts="未携带道路运输证")
    op = started(world)
    with pytest.raises(NotPermitted):
        services.operation_link_case(actor=world.users["officer"], operation=op, case=case)
    assert not OperationCase.objects.exists()


def test_attachment_goes_to_the_evidence_store(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    op = operation(world)
    att = services.operation_attach(actor=world.users["officer"], operation=op, fileobj=io.BytesIO(b"%PDF-1.4 plan"), name="方案.pdf",
                                    content_type="application/pdf", title="工作方案")
    assert len(att.file.sha256) == 64 and att.operation == op
    assert Event.objects.filter(action="campaigns.attach", subject_id=str(op.pk)).exists()


def test_department_catalogue_permissions(world):
    with pytest.raises(NotPermitted):
        services.department_create(actor=world.users["officer"], name="某乡政府", kind=Department.Kind.TOWNSHIP, organisation=world.county_a)
    with pytest.raises(NotPermitted):
        services.department_create(actor=world.users["head"], name="共用部门", kind=Department.Kind.OTHER, organisation=None)
    dept = services.department_create(actor=world.users["head"], name="皇后乡人民政府", kind=Department.Kind.TOWNSHIP, organisation=world.county_a)
    services.department_update(actor=world.users["head"], department=dept, active=False)
    dept.refresh_from_db()
    assert not dept.active
    shared = services.department_create(actor=world.users["admin"], name="共用部门", kind=Department.Kind.OTHER, organisation=None)
    with pytest.raises(NotPermitted):
        services.department_update(actor=world.users["head"], department=shared, name="改名")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the migration-shipped rows after the flush
def test_two_officers_concluding_at_once_exactly_one_succeeds(world):
    import threading

    from django.db import connection

    op = started(world)
    results = []

    def attempt(summary):
        try:
            services.operation_conclude(actor=world.users["officer"], operation=Operation.objects.get(pk=op.pk), summary=summary,
                                        ends_on=op.ends_on, vehicles_checked=10)
            results.append("ok")
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f"总结{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert OperationStep.objects.filter(operation=op, action="conclude").count() == 1
    assert Event.objects.filter(action="campaigns.conclude", subject_id=str(op.pk)).count() == 1
