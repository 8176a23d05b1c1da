"""REST API of internal oversight: keyset lists, details and the state changes of problems, listings,
evaluations and the power list. Reads go through the jurisdiction selectors (another unit's object is 404)."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from zhifa.core.errors import DomainError
from zhifa.core.models import Officer, Organisation, User
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut
from zhifa.core.selectors import get_scoped, organisations_for, scope

from . import selectors, services
from .models import (
    CaseEvaluation,
    EvaluationItem,
    EvaluationRound,
    Power,
    Problem,
    SupervisionEntry,
    SupervisionListing,
)

router = Router(tags=["oversight"])


class ProblemOut(Schema):
    id: int
    number: str
    organisation_id: int
    source: str
    source_ref: str
    category: str
    title: str
    description: str
    found_on: date
    measures: str
    deadline: date
    owner_id: int
    status: str
    is_overdue: bool
    is_key: bool
    evaluation_id: int | None
    rectification: str
    rectified_on: date | None
    recheck_note: str
    rechecked_on: date | None
    closed_on: date | None

    @staticmethod
    def resolve_is_overdue(obj):
        return obj.is_overdue()


class ProblemPage(Schema):
    items: list[ProblemOut]
    next_cursor: int | None = None


class ProblemIn(Schema):
    organisation_id: int
    source: Problem.Source
    source_ref: str = Field("", max_length=60)
    category: Problem.Category
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    found_on: date | None = None
    measures: str = Field(min_length=1)
    deadline: date
    owner_id: int


class TransitionIn(Schema):
    action: str = Field(description="start / report / recheck_pass / recheck_fail")
    note: str = ""


class ExtendIn(Schema):
    deadline: date
    reason: str


class ListKeyIn(Schema):
    reason: SupervisionListing.Reason
    requirement: str = Field(min_length=1)
    due_on: date


class ListingOut(Schema):
    id: int
    number: str
    problem_id: int
    reason: str
    requirement: str
    due_on: date
    listed_on: date
    status: str
    lifted_on: date | None


class ListingPage(Schema):
    items: list[ListingOut]
    next_cursor: int | None = None


class EntryIn(Schema):
    kind: SupervisionEntry.Kind
    note: str = Field(min_length=1)
    on: date | None = None


class EntryOut(Schema):
    id: int
    kind: str
    on: date
    note: str


class RoundOut(Schema):
    id: int
    name: str
    organisation_id: int
    standard_id: int
    period_from: date
    period_to: date
    sample_size: int
    seed: str
    candidates: int
    status: str


class RoundPage(Schema):
    items: list[RoundOut]
    next_cursor: int | None = None


class RoundIn(Schema):
    organisation_id: int
    name: str = Field(min_length=1, max_length=120)
    period_from: date
    period_to: date
    sample_size: int = Field(ge=1, le=1000)
    enterprise_only: bool = False


class DrawIn(Schema):
    seed: str | None = Field(None, max_length=64)


class EvaluationOut(Schema):
    id: int
    round_id: int
    record_id: int
    case_number: str
    draw_order: int
    score: Decimal | None
    vetoed: bool
    grade: str
    evaluator_id: int | None

    @staticmethod
    def resolve_case_number(obj):
        return obj.record.number


class DeductionIn(Schema):
    item_id: int
    points: Decimal = Decimal("0")
    finding: str


class ScoreIn(Schema):
    deductions: list[DeductionIn] = []
    comment: str = ""
    owner_id: int | None = None
    deadline: date | None = None


class PowerOut(Schema):
    id: int
    organisation_id: int
    code: str
    kind: str
    name: str
    legal_basis: str
    basis_verified: bool
    responsible_unit: str
    responsibilities: str
    process: str
    time_limit: str
    remedy: str
    accountability: str
    violation_codes: str
    version: int
    is_active: bool


class PowerPage(Schema):
    items: list[PowerOut]
    next_cursor: int | None = None


class PowerIn(Schema):
    organisation_id: int
    code: str = Field(min_length=1, max_length=40)
    kind: Power.Kind
    name: str = Field(min_length=1, max_length=200)
    legal_basis: str = Field(min_length=1)
    basis_verified: bool = False
    responsible_unit: str = Field(min_length=1, max_length=120)
    responsibilities: str = ""
    process: str = ""
    time_limit: str = Field("", max_length=100)
    remedy: str = Field(min_length=1)
    accountability: str = ""
    violation_codes: str = Field("", max_length=300)
    reason: str = Field(min_length=1)
    authority: str = Field("", max_length=200)


class PowerPatch(Schema):
    reason: str = Field(min_length=1)
    authority: str = Field("", max_length=200)
    kind: Power.Kind | None = None
    name: str | None = Field(None, max_length=200)
    legal_basis: str | None = None
    basis_verified: bool | None = None
    responsible_unit: str | None = Field(None, max_length=120)
    responsibilities: str | None = None
    process: str | None = None
    time_limit: str | None = Field(None, max_length=100)
    remedy: str | None = None
    accountability: str | None = None
    violation_codes: str | None = Field(None, max_length=300)


class CancelIn(Schema):
    reason: str = Field(min_length=1)
    authority: str = Field("", max_length=200)


E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: dict}


def _org_in_scope(user, pk) -> Organisation:
    org = organisations_for(user).filter(pk=pk).first()
    if org is None:
        raise DomainError("not_found", "机构不存在或不在您的管辖范围内。", status=404)
    return org


def _user(actor, pk) -> User:
    user = scope(User.objects.all(), actor).filter(pk=pk).first()
    if user is None:
        raise DomainError("not_found", "责任人不存在或不在您的管辖范围内。", status=404)
    return user


# ---- problems ----


@router.get("/problems/", response=ProblemPage, summary="问题清单")
def problem_list(request, q: str = Query("", max_length=100), status: str = "", source: str = "", overdue: bool = False, key: bool = False,
                 after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    qs = selectors.problems_for(request.user, search=q.strip(), status=status, source=source, overdue=overdue, key=key)
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/problems/{item_id}", response={200: ProblemOut, 404: ErrorOut}, summary="问题详情")
def problem_detail(request, item_id: int):
    return get_scoped(selectors.problems_for(request.user), request.user, pk=item_id)


@router.post("/problems/", response={201: ProblemOut, **E}, summary="登记问题")
def problem_create(request, payload: ProblemIn):
    data = payload.dict()
    problem = services.problem_create(actor=request.user, organisation=_org_in_scope(request.user, data.pop("organisation_id")),
                                      owner=_user(request.user, data.pop("owner_id")), **data)
    return 201, problem


@router.post("/problems/{item_id}/transition", response={200: ProblemOut, **E}, summary="问题流转（整改、报告、回头看）")
def problem_transition(request, item_id: int, payload: TransitionIn):
    problem = get_scoped(Problem.objects.all(), request.user, pk=item_id)
    return services.problem_transition(actor=request.user, problem=problem, action=payload.action, note=payload.note)


@router.post("/problems/{item_id}/extend", response={200: ProblemOut, **E}, summary="延长整改时限")
def problem_extend(request, item_id: int, payload: ExtendIn):
    problem = get_scoped(Problem.objects.all(), request.user, pk=item_id)
    return services.problem_extend(actor=request.user, problem=problem, deadline=payload.deadline, reason=payload.reason)


@router.post("/problems/{item_id}/listing", response={201: ListingOut, **E}, summary="挂牌督办")
def problem_list_key(request, item_id: int, payload: ListKeyIn):
    problem = get_scoped(Problem.objects.all(), request.user, pk=item_id)
    return 201, services.problem_list_key(actor=request.user, problem=problem, **payload.dict())


# ---- supervision ledger ----


@router.get("/listings/", response=ListingPage, summary="挂牌督办台账")
def listing_list(request, q: str = Query("", max_length=100), status: str = "", after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.listings_for(request.user, search=q.strip(), status=status), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/listings/{item_id}", response={200: ListingOut, 404: ErrorOut}, summary="督办事项详情")
def listing_detail(request, item_id: int):
    return get_scoped(selectors.listings_for(request.user), request.user, "problem__organisation", pk=item_id)


@router.post("/listings/{item_id}/entries", response={201: EntryOut, **E}, summary="添加督办记录")
def listing_entry(request, item_id: int, payload: EntryIn):
    listing = get_scoped(SupervisionListing.objects.all(), request.user, "problem__organisation", pk=item_id)
    return 201, services.supervision_entry_add(actor=request.user, listing=listing, **payload.dict())


@router.post("/listings/{item_id}/lift", response={200: ListingOut, **E}, summary="督办销号")
def listing_lift(request, item_id: int):
    listing = get_scoped(SupervisionListing.objects.all(), request.user, "problem__organisation", pk=item_id)
    return services.listing_lift(actor=request.user, listing=listing)


# ---- case-file evaluation ----


class CaseRecordOut(Schema):
    id: int
    organisation_id: int
    case_id: int | None
    number: str
    title: str
    party_name: str
    closed_on: date
    involves_enterprise: bool
    handling_officer_ids: list[int]

    @staticmethod
    def resolve_handling_officer_ids(obj):
        return [o.pk for o in obj.handling_officers.all()]


class CaseRecordPage(Schema):
    items: list[CaseRecordOut]
    next_cursor: int | None = None


class CaseRecordIn(Schema):
    organisation_id: int
    number: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=200)
    party_name: str = Field("", max_length=120)
    closed_on: date
    officer_ids: list[int] = Field(min_length=1)
    involves_enterprise: bool = False


@router.get("/records/", response=CaseRecordPage, summary="案卷登记（已结案卷）")
def record_list(request, q: str = Query("", max_length=100), after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.case_records_for(request.user, search=q.strip()), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.post("/records/", response={201: CaseRecordOut, **E}, summary="登记已结案卷")
def record_create(request, payload: CaseRecordIn):
    data = payload.dict()
    officer_ids = data.pop("officer_ids")
    officers = list(scope(Officer.objects.all(), request.user).filter(pk__in=officer_ids))
    if len(officers) != len(set(officer_ids)):
        raise DomainError("not_found", "承办人员不存在或不在您的管辖范围内。", status=404)
    record = services.case_record_create(actor=request.user, organisation=_org_in_scope(request.user, data.pop("organisation_id")),
                                         officers=officers, **data)
    return 201, record


@router.get("/rounds/", response=RoundPage, summary="评查批次")
def round_list(request, after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(scope(EvaluationRound.objects.all(), request.user), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.post("/rounds/", response={201: RoundOut, **E}, summary="新建评查批次")
def round_create(request, payload: RoundIn):
    data = payload.dict()
    return 201, services.round_create(actor=request.user, organisation=_org_in_scope(request.user, data.pop("organisation_id")), **data)


@router.post("/rounds/{item_id}/draw", response={200: list[EvaluationOut], **E}, summary="随机抽取案卷（记录随机种子）")
def round_draw(request, item_id: int, payload: DrawIn):
    rnd = get_scoped(EvaluationRound.objects.all(), request.user, pk=item_id)
    return services.round_draw(actor=request.user, round=rnd, seed=payload.seed)


@router.get("/rounds/{item_id}/evaluations", response={200: list[EvaluationOut], 404: ErrorOut}, summary="批次的抽取案卷与结果")
def round_evaluations(request, item_id: int):
    rnd = get_scoped(EvaluationRound.objects.all(), request.user, pk=item_id)
    return list(rnd.evaluations.select_related("record"))


@router.post("/evaluations/{item_id}/score", response={200: EvaluationOut, **E}, summary="评查打分（承办人员不得评查本人案卷）")
def evaluation_score(request, item_id: int, payload: ScoreIn):
    evaluation = get_scoped(CaseEvaluation.objects.select_related("round__standard", "record"), request.user, pk=item_id)
    items = {i.pk: i for i in EvaluationItem.objects.filter(standard=evaluation.round.standard)}
    deductions = []
    for d in payload.deductions:
        if d.item_id not in items:
            raise DomainError("item_not_in_standard", f"评查项目 {d.item_id} 不属于本批次使用的评查标准。")
        deductions.append(services.DeductionIn(item=items[d.item_id], points=d.points, finding=d.finding))
    owner = _user(request.user, payload.owner_id) if payload.owner_id else None
    return services.evaluation_score(actor=request.user, evaluation=evaluation, deductions=deductions, comment=payload.comment,
                                     owner=owner, deadline=payload.deadline)


# ---- power list ----


@router.get("/powers/", response=PowerPage, summary="权责清单")
def power_list(request, q: str = Query("", max_length=100), kind: str = "", after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.powers_for(request.user, search=q.strip(), kind=kind), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/powers/{item_id}", response={200: PowerOut, 404: ErrorOut}, summary="权力事项详情")
def power_detail(request, item_id: int):
    return get_object_or_404(selectors.powers_for(request.user), pk=item_id)


@router.post("/powers/", response={201: PowerOut, **E}, summary="新增权力事项")
def power_create(request, payload: PowerIn):
    data = payload.dict()
    return 201, services.power_create(actor=request.user, organisation=_org_in_scope(request.user, data.pop("organisation_id")), **data)


@router.patch("/powers/{item_id}", response={200: PowerOut, **E}, summary="调整权力事项（记录理由和版本）")
def power_update(request, item_id: int, payload: PowerPatch):
    power = get_object_or_404(selectors.powers_for(request.user), pk=item_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return services.power_update(actor=request.user, power=power, **data)


@router.post("/powers/{item_id}/cancel", response={200: PowerOut, **E}, summary="取消权力事项")
def power_cancel(request, item_id: int, payload: CancelIn):
    power = get_object_or_404(selectors.powers_for(request.user), pk=item_id)
    return services.power_cancel(actor=request.user, power=power, **payload.dict())
