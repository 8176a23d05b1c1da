"""REST API of random inspection and warnings: the provincial platform pushes warnings here; plans, draws
(with their verification) and warning counts are readable within the caller's jurisdiction."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhifa.core.errors import DomainError
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ErrorOut

from . import selectors, services

router = Router(tags=["inspections"])


class WarningIn(Schema):
    external_id: str = Field(max_length=64)
    warning_class: int = Field(ge=1, le=3)
    category: str = Field(max_length=60)
    description: str = Field(max_length=500)
    occurred_at: datetime
    credit_code: str = Field("", max_length=18)
    plate: str = Field("", max_length=12)


class WarningBatchIn(Schema):
    warnings: list[WarningIn] = Field(max_length=5000)


class ImportOut(Schema):
    created: int
    skipped: int
    errors: list[str]


class WarningOut(Schema):
    id: int
    external_id: str
    warning_class: int
    category: str
    description: str
    party_id: int | None
    plate: str
    received_on: date
    status: str
    rectify_deadline: date | None
    closed_on: date | None


class WarningPage(Schema):
    items: list[WarningOut]
    next_cursor: int | None = None


class PlanOut(Schema):
    id: int
    number: str
    title: str
    status: str
    target_types: list[str]
    seed_sha256: str
    starts_on: date
    ends_on: date
    publication_deadline: date | None
    results_published_on: date | None


class DrawOut(Schema):
    id: int
    plan_id: int
    sequence: int
    algorithm: str
    seed_sha256: str
    result_sha256: str
    redraw_reason: str
    superseded: bool
    result: dict


class VerifyOut(Schema):
    ok: bool
    findings: list[str]


@router.post("/warnings/import", response={200: ImportOut, 400: ErrorOut, 403: ErrorOut, 422: dict}, summary="接收省平台预警（批量）")
def warnings_import(request, payload: WarningBatchIn):
    if request.user.organisation_id is None:
        raise DomainError("no_organisation", "账号未关联机构，无法接收预警。")
    rows = [w.dict() for w in payload.warnings]
    return services.warning_import(actor=request.user, organisation=request.user.organisation, rows=rows, source="api",
                                   on=timezone.localdate())


@router.get("/warnings/", response=WarningPage, summary="预警抄告列表")
def warnings_list(request, after: int | None = None, limit: int = Query(50, ge=1, le=200), warning_class: int | None = None):
    qs = selectors.warnings_for(request.user)
    if warning_class:
        qs = qs.filter(warning_class=warning_class)
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/warnings/counts", summary="预警接收与办结数（按类别、月份）")
def warnings_counts(request, year: int = Query(..., ge=2000, le=2100)):
    return selectors.warning_counts(request.user, year)


@router.get("/plans/", response=list[PlanOut], summary="抽查计划")
def plans(request):
    return list(selectors.plans_for(request.user)[:500])


@router.get("/draws/{draw_id}", response={200: DrawOut, 404: ErrorOut}, summary="抽取记录")
def draw_detail(request, draw_id: int):
    return selectors.draw_get(request.user, draw_id)


@router.get("/draws/{draw_id}/verify", response={200: VerifyOut, 404: ErrorOut}, summary="复算抽取结果")
def draw_verify(request, draw_id: int):
    ok, findings = services.verify_draw(selectors.draw_get(request.user, draw_id))
    return {"ok": ok, "findings": findings}
