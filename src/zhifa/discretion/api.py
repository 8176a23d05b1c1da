"""REST API of the discretion data: the catalogue, editions (export/import), the engine, the review and hearing
catalogue and the overload formula. Every computed answer carries its reasoning and citations."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut

from . import loader, overload_rules, services
from .models import BenchmarkEdition, ViolationItem

router = Router(tags=["discretion"])


class ItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    violated_provision: str
    penalty_basis: str
    penalty_kinds: list[str]
    statutory_min: Decimal | None
    statutory_max: Decimal | None
    life_health_safety: bool
    formula: str
    provision_status: str
    note: str


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: int | None = None


class EditionOut(Schema):
    code: str
    name: str
    region: str
    effective_from: date
    source: str
    overload_rounding: str
    lenient_share: Decimal
    mitigated_share: Decimal


class AssessIn(Schema):
    item_code: str
    facts: dict = {}
    violation_date: date
    today: date | None = None


class ReviewIn(Schema):
    item_code: str
    party_kind: str = "person"
    amount: Decimal | None = None
    penalty_kinds: list[str] = []
    hearing_held: bool = False
    several_legal_relations: bool = False
    on: date | None = None


class ReviewOut(Schema):
    review_required: bool
    review_reasons: list[str]
    hearing_right: bool
    hearing_reason: str


class OverloadIn(Schema):
    axles: int = Field(ge=2, le=12)
    gross_kg: int = Field(ge=0, le=300_000)
    combination: bool | None = None
    single_drive_axle: bool = False
    single_tyre_axles: int = Field(0, ge=0, le=12)
    height_m: float | None = Field(None, ge=0, le=20)
    width_m: float | None = Field(None, ge=0, le=20)
    length_m: float | None = Field(None, ge=0, le=100)
    rounding: Literal["floor", "ceil", "proportional"] | None = None
    violation_date: date | None = None


@router.get("/items/", response=ItemPage, summary="违法行为事项目录")
def items(request, q: str = Query("", max_length=100), after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    qs = ViolationItem.objects.all()
    if q.strip():
        qs = qs.filter(name__icontains=q.strip()) | qs.filter(code__icontains=q.strip())
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/items/{code}", response={200: ItemOut, 404: ErrorOut}, summary="违法行为事项详情")
def item(request, code: str):
    found = ViolationItem.objects.filter(code=code).first()
    if found is None:
        return Status(404, {"code": "not_found", "message": f"违法行为事项{code}不存在。"})
    return found


@router.get("/editions/", response=list[EditionOut], summary="裁量基准版本")
def editions(request):
    return list(BenchmarkEdition.objects.all())


@router.get("/editions/{code}/export", summary="导出裁量基准版本（format=yaml|xlsx）",
            response={200: None, 404: ErrorOut})
def edition_export(request, code: str, format: str = Query("yaml", pattern="^(yaml|xlsx)$")):  # noqa: A002
    edition = BenchmarkEdition.objects.filter(code=code).first()
    if edition is None:
        return Status(404, {"code": "not_found", "message": f"版本{code}不存在。"})
    if format == "xlsx":
        response = HttpResponse(loader.export_xlsx(edition),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(loader.export_yaml(edition), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.code}.{format}"'
    return response


@router.post("/editions/import", response={201: EditionOut, 400: dict, 403: ErrorOut},
             summary="导入裁量基准版本（.xlsx/.yaml，逐行校验，有误则不导入并逐条列出）")
def edition_import(request, file: UploadedFile = File(...)):
    edition = services.edition_import(actor=request.user, content=file.read(), filename=file.name)
    return Status(201, edition)


@router.post("/assess", response={200: dict, 400: ErrorOut, 404: ErrorOut}, summary="裁量计算：结论、建议金额、幅度、说理和依据")
def assess(request, payload: AssessIn):
    return services.assess(item_code=payload.item_code, facts=payload.facts, violation_date=payload.violation_date,
                           today=payload.today).as_dict()


@router.post("/review", response={200: ReviewOut, 400: ErrorOut}, summary="是否需要法制审核（第五十八条）、是否有听证权（第六十三条）")
def review(request, payload: ReviewIn):
    on = payload.on or timezone.localdate()
    needed, reasons = services.review_requirement(
        item_code=payload.item_code, party_kind=payload.party_kind, amount=payload.amount,
        penalty_kinds=payload.penalty_kinds, hearing_held=payload.hearing_held,
        several_legal_relations=payload.several_legal_relations, on=on)
    right, why = services.hearing_right(party_kind=payload.party_kind, amount=payload.amount,
                                        penalty_kinds=payload.penalty_kinds, on=on)
    return {"review_required": needed, "review_reasons": reasons, "hearing_right": right, "hearing_reason": why}


@router.get("/overload/limits", response=list[dict], summary="超限认定限值表（第三条）")
def overload_limits(request, on: date | None = None):
    return overload_rules.limit_table(on)


@router.post("/overload/assess", response={200: dict, 400: ErrorOut}, summary="超限处罚计算（第三条、第四十三条）")
def overload_assess(request, payload: OverloadIn):
    data = payload.dict()
    on = data.pop("violation_date") or timezone.localdate()
    if data["combination"] is None:
        data["combination"] = data["axles"] >= 5
    result = services.assess(item_code="CX-001", facts=data, violation_date=on)
    return result.as_dict()
