"""State changes of the operations register. Each checks role, jurisdiction and the transition table, updates
with a condition on the old state, appends the step and writes the audit record in one transaction."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhifa.core import audit, numbering
from zhifa.core.errors import DomainError, TransitionNotAllowed
from zhifa.core.evidence import evidence_store
from zhifa.core.models import Officer, Organisation
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role
from zhifa.core.workflow import created, transition

from .models import (
    OPERATION_NUMBERS,
    Attachment,
    Department,
    Material,
    Operation,
    OperationCase,
    OperationOfficer,
    OperationPartner,
)
from .selectors import departments_for
from .workflow import WORKFLOW, operation_snapshot

HANDLERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)
KEEPERS = (Role.HEAD, Role.ADMIN)
PREFIX = {Operation.Kind.JOINT: "LH", Operation.Kind.CAMPAIGN: "ZX", Operation.Kind.PUBLICITY: "XC"}
DETAIL_FIELDS = ("title", "starts_on", "ends_on", "location", "description", "lead_department")
RESULT_FIELDS = ("vehicles_checked", "enterprises_checked", "problems_found", "problems_rectified", "audience")


def _check_actor(actor, organisation: Organisation, roles=HANDLERS) -> None:
    assert_role(actor, *roles, message="只有执法人员、负责人或管理员可以登记执法行动。" if roles == HANDLERS else "只有负责人或管理员可以执行此操作。")
    assert_in_jurisdiction(actor, organisation)


def _validate_links(actor, organisation: Organisation, *, kind: str, partners, officers, lead_department) -> tuple[list, list]:
    partners = list(dict.fromkeys(partners or []))
    officers = list(dict.fromkeys(officers or []))
    visible = set(departments_for(actor).values_list("pk", flat=True))
    for d in [*partners, *([lead_department] if lead_department else [])]:
        if d.pk not in visible:
            raise DomainError("unknown_department", f"部门“{d}”不在本单位可用的合作部门目录中。")
    if kind == Operation.Kind.JOINT and not partners and lead_department is None:
        raise DomainError("partners_required", "联合执法行动须至少填写一个参加或牵头的其他部门。")
    for o in officers:
        if not o.organisation.is_within(organisation) and not organisation.is_within(o.organisation):
            raise DomainError("officer_out_of_unit", f"{o.name}不属于实施单位或其上下级单位。")
        if not o.is_active:
            raise DomainError("officer_inactive", f"{o.name}已不在执法岗位。")
    if lead_department is not None and lead_department not in partners:
        partners.insert(0, lead_department)  # the leading department is a partner in every count
    return partners, officers


def operation_create(*, actor, organisation: Organisation, kind: str, title: str, starts_on: date, ends_on: date, location: str,
                     description: str = "", lead_department: Department | None = None, partners=(), officers=()) -> Operation:
    """Register a planned operation with its partner departments and officers."""
    _check_actor(actor, organisation)
    if kind not in Operation.Kind.values:
        raise DomainError("invalid_kind", "请选择执法行动类别。")
    partners, officers = _validate_links(actor, organisation, kind=kind, partners=partners, officers=officers, lead_department=lead_department)
    op = Operation(organisation=organisation, kind=kind, title=title.strip(), starts_on=starts_on, ends_on=ends_on,
                   location=location.strip(), description=description.strip(), lead_department=lead_department,
                   created_by=actor, number="-")
    op.full_clean(exclude=["number"])
    with transaction.atomic():
        op.number = numbering.reserve(OPERATION_NUMBERS, organisation=organisation, year=starts_on.year, part=PREFIX[kind])
        op.save(force_insert=True)
        OperationPartner.objects.bulk_create([OperationPartner(operation=op, department=d) for d in partners])
        OperationOfficer.objects.bulk_create([OperationOfficer(operation=op, officer=o) for o in officers])
        created(WORKFLOW, op, "create", actor=actor,
                summary=f"登记{op.get_kind_display()}：{op.title}（{op.starts_on:%Y-%m-%d}，参加部门{len(partners)}个、执法人员{len(officers)}名）")
    return op


def operation_update(*, actor, operation: Operation, partners=None, officers=None, **data) -> Operation:
    """Change the details, partner departments or officers of an operation that has not ended."""
    op = operation
    _check_actor(actor, op.organisation)
    WORKFLOW.check("update", op.status, actor)
    unknown = set(data) - set(DETAIL_FIELDS)
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}")
    before = operation_snapshot(op)
    for key, value in data.items():
        setattr(op, key, value.strip() if isinstance(value, str) else value)
    current_partners = [link.department for link in op.partner_links.select_related("department")]
    current_officers = [link.officer for link in op.officer_links.select_related("officer__organisation")]
    new_partners, new_officers = _validate_links(
        actor, op.organisation, kind=op.kind, partners=current_partners if partners is None else partners,
        officers=current_officers if officers is None else officers, lead_department=op.lead_department)
    op.full_clean()
    with transaction.atomic():
        if Operation.objects.filter(pk=op.pk, status=op.status).update(**{f: getattr(op, f) for f in DETAIL_FIELDS}) != 1:
            raise TransitionNotAllowed("concurrent_change", "该执法行动已被他人修改，请刷新后重试。")
        op.partner_links.all().delete()
        OperationPartner.objects.bulk_create([OperationPartner(operation=op, department=d) for d in new_partners])
        op.officer_links.all().delete()
        OperationOfficer.objects.bulk_create([OperationOfficer(operation=op, officer=o) for o in new_officers])
        audit.record(actor=actor, action="campaigns.update", subject=op, before=before, after=operation_snapshot(op), organisation=op.organisation,
                     summary=f"修改执法行动 {op.number}")
    return op


def _move(op: Operation, action: str, actor, *, fields: dict, note: str = "", summary: str) -> Operation:
    """A move of the table through the kernel: conditional update, appended step and record, in one transaction."""
    return transition(WORKFLOW, op, action, actor=actor, summary=summary, fields=fields, note=note)


def operation_start(*, actor, operation: Operation) -> Operation:
    _check_actor(actor, operation.organisation)
    return _move(operation, "start", actor, fields={}, summary=f"{operation.get_kind_display()} {operation.number} 开始实施")


def operation_conclude(*, actor, operation: Operation, summary: str, ends_on: date, materials: dict[str, int] | None = None,
                       **results) -> Operation:
    """Conclude with the summary and the results no other register holds; publicity events record the materials
    used (kind → quantity)."""
    op = operation
    _check_actor(actor, op.organisation)
    WORKFLOW.check("conclude", op.status, actor)
    unknown = set(results) - set(RESULT_FIELDS)
    if unknown:
        raise DomainError("invalid_fields", f"不允许填写的字段：{', '.join(sorted(unknown))}")
    if not summary.strip():
        raise DomainError("summary_required", "结束执法行动须填写总结（做法、成效、存在问题）。")
    if ends_on < op.starts_on:
        raise DomainError("ends_before_start", "结束日期不能早于开始日期。")
    materials = {k: int(v) for k, v in (materials or {}).items() if v}
    if materials and op.kind != Operation.Kind.PUBLICITY:
        raise DomainError("materials_not_publicity", "只有宣传活动登记宣传资料。")
    if set(materials) - set(Material.Kind.values) or any(v < 0 for v in materials.values()):
        raise DomainError("invalid_materials", "宣传资料类别或数量不正确。")
    if any(int(v) < 0 for v in results.values()):
        raise DomainError("invalid_results", "成效数字不能为负数。")
    probe = Operation(**{**{f: getattr(op, f) for f in RESULT_FIELDS}, **results})
    try:
        probe.clean()
    except ValidationError as exc:
        raise DomainError("invalid_results", "；".join(exc.messages)) from exc
    fields = {**results, "summary": summary.strip(), "ends_on": ends_on, "concluded_on": timezone.localdate()}
    with transaction.atomic():
        Material.objects.bulk_create([Material(operation=op, kind=k, quantity=q) for k, q in materials.items()])
        op = _move(op, "conclude", actor, fields=fields, note=summary.strip()[:500],
                   summary=f"{op.get_kind_display()} {op.number} 结束：{summary.strip()[:200]}")
    return op


def operation_cancel(*, actor, operation: Operation, reason: str) -> Operation:
    _check_actor(actor, operation.organisation, KEEPERS)
    if not reason.strip():
        raise DomainError("reason_required", "取消执法行动须说明原因。")
    return _move(operation, "cancel", actor, fields={"cancel_reason": reason.strip()[:300]}, note=reason.strip(),
                 summary=f"取消执法行动 {operation.number}：{reason.strip()[:200]}")


def operation_link_case(*, actor, operation: Operation, case) -> OperationCase:
    """Record that ``case`` was opened from the operation (立案查处); the operation's case count is its links."""
    from zhifa.cases.workflow import Status as CaseStatus

    op = operation
    _check_actor(actor, op.organisation)
    WORKFLOW.check("link_case", op.status, actor)
    assert_in_jurisdiction(actor, case.organisation)
    if case.status in (CaseStatus.LEAD, CaseStatus.NOT_OPENED):
        raise DomainError("case_not_opened", f"案件{case.number}尚未立案（或不予立案），不能计入行动的立案查处数。")
    if case.occurred_on < op.starts_on:
        raise DomainError("case_before_operation", f"案件{case.number}的违法行为发生在行动开始之前。")
    if OperationCase.objects.filter(operation=op, case=case).exists():
        raise DomainError("case_already_linked", f"案件{case.number}已关联本行动。")
    with transaction.atomic():
        link = OperationCase.objects.create(operation=op, case=case, linked_by=actor)
        audit.record(actor=actor, action="campaigns.link_case", subject=op, organisation=op.organisation,
                     changes={"case": [None, case.number]}, summary=f"执法行动 {op.number} 关联立案案件 {case.number}")
    return link


def operation_unlink_case(*, actor, operation: Operation, case) -> None:
    op = operation
    _check_actor(actor, op.organisation)
    WORKFLOW.check("unlink_case", op.status, actor)
    with transaction.atomic():
        if OperationCase.objects.filter(operation=op, case=case).delete()[0] != 1:
            raise DomainError("case_not_linked", f"案件{case.number}未关联本行动。")
        audit.record(actor=actor, action="campaigns.unlink_case", subject=op, organisation=op.organisation,
                     changes={"case": [case.number, None]}, summary=f"执法行动 {op.number} 取消关联案件 {case.number}")


def operation_attach(*, actor, operation: Operation, fileobj, name: str, content_type: str, title: str) -> Attachment:
    """Keep a file (工作方案, photo, 总结) with the operation through the evidence store."""
    op = operation
    _check_actor(actor, op.organisation)
    WORKFLOW.check("attach", op.status, actor)
    if not title.strip():
        raise DomainError("title_required", "请填写附件说明。")
    with transaction.atomic():
        stored = evidence_store(actor=actor, organisation=op.organisation, fileobj=fileobj, name=name, content_type=content_type, subject=op)
        attachment = Attachment.objects.create(operation=op, file=stored, title=title.strip()[:100])
        audit.record(actor=actor, action="campaigns.attach", subject=op, organisation=op.organisation,
                     changes={"attachment": [None, f"{attachment.title}（SHA-256 {stored.sha256}）"]},
                     summary=f"执法行动 {op.number} 上传附件：{attachment.title}")
    return attachment


def department_create(*, actor, name: str, kind: str, organisation: Organisation | None) -> Department:
    """Add a department to the catalogue: a local one under the actor's jurisdiction, a shared one (no
    organisation) by an administrator only."""
    if organisation is None:
        assert_role(actor, Role.ADMIN, message="只有系统管理员可以维护全辖共用的部门目录。")
    else:
        _check_actor(actor, organisation, KEEPERS)
    dept = Department(name=name.strip(), kind=kind, organisation=organisation)
    dept.full_clean()
    with transaction.atomic():
        dept.save(force_insert=True)
        audit.record(actor=actor, action="campaigns.department_create", subject=dept, after=audit.snapshot(dept),
                     organisation=organisation, summary=f"合作部门目录新增：{dept.name}（{dept.get_kind_display()}）")
    return dept


def department_update(*, actor, department: Department, **data) -> Department:
    if department.organisation_id is None:
        assert_role(actor, Role.ADMIN, message="只有系统管理员可以维护全辖共用的部门目录。")
    else:
        _check_actor(actor, department.organisation, KEEPERS)
    unknown = set(data) - {"name", "kind", "active"}
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(department)
    for key, value in data.items():
        setattr(department, key, value.strip() if isinstance(value, str) else value)
    department.full_clean()
    with transaction.atomic():
        department.save()
        audit.record(actor=actor, action="campaigns.department_update", subject=department, before=before,
                     after=audit.snapshot(department), organisation=department.organisation, summary=f"修改合作部门：{department.name}")
    return department


def officers_choosable(organisation: Organisation):
    """Officers who may take part in an operation of ``organisation``: its subtree and the units above it."""
    codes = organisation.path.strip("/").split("/")
    return Officer.objects.filter(is_active=True).filter(Q(organisation__path__startswith=organisation.path) | Q(organisation__code__in=codes))
