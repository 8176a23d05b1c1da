"""REST API of the operations register: keyset list with the same filters as the page, detail, create, and the
workflow steps (start, conclude, cancel, link a case)."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhifa.cases.models import Case
from zhifa.core.errors import DomainError
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut
from zhifa.core.selectors import organisations_for, scope

from . import selectors, services
from .models import Material, Operation

router = Router(tags=["campaigns"])


class OperationBase(Schema):
    id: int
    number: str
    kind: str
    title: str
    organisation_id: int
    starts_on: date
    ends_on: date
    status: str
    vehicles_checked: int


class OperationOut(OperationBase):
    location: str
    lead_department_id: int | None
    partner_ids: list[int]
    officer_ids: list[int]
    case_numbers: list[str]
    enterprises_checked: int
    problems_found: int
    problems_rectified: int
    audience: int
    materials: dict[str, int]
    summary: str

    @staticmethod
    def resolve_partner_ids(obj):
        return sorted(obj.partner_links.values_list("department_id", flat=True))

    @staticmethod
    def resolve_officer_ids(obj):
        return sorted(obj.officer_links.values_list("officer_id", flat=True))

    @staticmethod
    def resolve_case_numbers(obj):
        return sorted(obj.case_links.values_list("case__number", flat=True))

    @staticmethod
    def resolve_materials(obj):
        return dict(obj.materials.values_list("kind", "quantity"))


class OperationRow(OperationBase):
    n_officers: int
    n_cases: int


class OperationPage(Schema):
    items: list[OperationRow]
    next_cursor: int | None = None


class OperationIn(Schema):
    kind: Operation.Kind
    organisation_id: int | None = None
    title: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    location: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    lead_department_id: int | None = None
    partner_ids: list[int] = Field(default_factory=list, max_length=50)
    officer_ids: list[int] = Field(default_factory=list, max_length=200)


class ConcludeIn(Schema):
    summary: str = Field(min_length=1, max_length=5000)
    ends_on: date
    vehicles_checked: int = Field(0, ge=0)
    enterprises_checked: int = Field(0, ge=0)
    problems_found: int = Field(0, ge=0)
    problems_rectified: int = Field(0, ge=0)
    audience: int = Field(0, ge=0)
    materials: dict[Material.Kind, int] = Field(default_factory=dict)


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class LinkIn(Schema):
    case_number: str = Field(min_length=1, max_length=40)


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get("/operations/", response=OperationPage, summary="执法行动（列表，可按类别、状态、单位、期间筛选）")
def operation_list(request, kind: str = Query("", max_length=12), status: str = Query("", max_length=12), unit: str = Query("", max_length=32),
                   start: date | None = None, end: date | None = None, q: str = Query("", max_length=100),
                   after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    unit_obj = get_object_or_404(organisations_for(request.user), code=unit) if unit else None
    qs = selectors.operations_for(request.user, search=q.strip(), kind=kind, status=status, unit=unit_obj, start=start, end=end)
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/operations/{operation_id}", response={200: OperationOut, 404: ErrorOut}, summary="执法行动详情")
def operation_detail(request, operation_id: int):
    return selectors.get_operation(request.user, operation_id)


def _departments(request, ids):
    depts = {d.pk: d for d in selectors.departments_for(request.user).filter(pk__in=ids)}
    missing = set(ids) - set(depts)
    if missing:
        raise DomainError("unknown_department", f"部门不存在或不可用：{', '.join(map(str, sorted(missing)))}", status=404)
    return [depts[i] for i in ids]


@router.post("/operations/", response={201: OperationOut, **ERRORS}, summary="登记执法行动")
def operation_create(request, payload: OperationIn):
    d = payload.dict()
    user = request.user
    if d["organisation_id"] is not None:
        organisation = get_object_or_404(organisations_for(user), pk=d["organisation_id"])
    elif user.organisation_id:
        organisation = user.organisation
    else:
        raise DomainError("organisation_required", "请指定实施单位。")
    officers = list(scope(services.officers_choosable(organisation), user).filter(pk__in=d["officer_ids"]))
    if len(officers) != len(set(d["officer_ids"])):
        raise DomainError("unknown_officer", "参加执法人员不存在或不属于实施单位。", status=404)
    lead = _departments(request, [d["lead_department_id"]])[0] if d["lead_department_id"] else None
    op = services.operation_create(actor=user, organisation=organisation, kind=d["kind"], title=d["title"], starts_on=d["starts_on"],
                                   ends_on=d["ends_on"], location=d["location"], description=d["description"], lead_department=lead,
                                   partners=_departments(request, d["partner_ids"]), officers=officers)
    return Status(201, op)


@router.post("/operations/{operation_id}/start", response={200: OperationOut, **ERRORS}, summary="开始实施")
def operation_start(request, operation_id: int):
    return services.operation_start(actor=request.user, operation=selectors.get_operation(request.user, operation_id))


@router.post("/operations/{operation_id}/conclude", response={200: OperationOut, **ERRORS}, summary="结束并登记成效")
def operation_conclude(request, operation_id: int, payload: ConcludeIn):
    d = payload.dict()
    materials = {str(k): v for k, v in d.pop("materials").items()}
    op = selectors.get_operation(request.user, operation_id)
    return services.operation_conclude(actor=request.user, operation=op, materials=materials, **d)


@router.post("/operations/{operation_id}/cancel", response={200: OperationOut, **ERRORS}, summary="取消执法行动")
def operation_cancel(request, operation_id: int, payload: CancelIn):
    op = selectors.get_operation(request.user, operation_id)
    return services.operation_cancel(actor=request.user, operation=op, reason=payload.reason)


@router.post("/operations/{operation_id}/cases", response={200: OperationOut, **ERRORS}, summary="关联立案案件")
def operation_link_case(request, operation_id: int, payload: LinkIn):
    op = selectors.get_operation(request.user, operation_id)
    case = get_object_or_404(scope(Case.objects.all(), request.user), number=payload.case_number.strip())
    services.operation_link_case(actor=request.user, operation=op, case=case)
    return op
