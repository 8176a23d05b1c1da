"""REST API of the complaints app: keyset lists and details of every register; intake of a complaint (for the
hotline platforms' interfaces), reply, return visit, the XLSX import and the KPIs."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from zhifa.core.errors import DomainError
from zhifa.core.kit import own_organisation
from zhifa.core.models import TransportCompany
from zhifa.core.schemas import ErrorOut
from zhifa.core.selectors import get_scoped

from . import selectors, services
from .models import Category, Channel, Complaint
from .registers import REGISTERS, vehicle_by_plate

router = Router(tags=["complaints"])
REGISTERS.add_api(router)


class ComplaintIn(Schema):
    channel: Channel
    content: str = Field(min_length=1, max_length=5000)
    category: Category = Category.OTHER
    received_at: datetime | None = None
    external_id: str = Field("", max_length=40)
    complainant_name: str = Field("", max_length=50)
    complainant_phone: str = Field("", max_length=30)
    firm_id: int | None = None
    firm_name: str = Field("", max_length=120)
    plate: str = Field("", max_length=16)
    place: str = Field("", max_length=120)
    route: str = Field("", max_length=60)


class ComplaintOut(Schema):
    id: int
    number: str
    organisation_id: int
    channel: str
    external_id: str
    status: str
    category: str
    assigned_officer_id: int | None
    due_on: date
    due_confirmed: bool
    replied_at: datetime | None
    instant_reply: bool
    replied_on_time: bool | None
    satisfaction: str
    reopen_count: int


@router.post("/intake", response={201: ComplaintOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="受理投诉（接口）")
def intake(request, payload: ComplaintIn):
    data = payload.dict()
    firm = get_scoped(TransportCompany.objects.all(), request.user, pk=data["firm_id"]) if data["firm_id"] else None
    if data["received_at"] and data["received_at"] > timezone.now():
        raise DomainError("future_time", "受理时间不能晚于当前时间。")
    vehicle, plate = vehicle_by_plate(request.user, data["plate"])
    complaint = services.complaint_intake(
        actor=request.user, organisation=own_organisation(request.user), channel=data["channel"], content=data["content"],
        category=data["category"], received_at=data["received_at"], external_id=data["external_id"],
        complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"], firm=firm,
        firm_name=data["firm_name"], vehicle=vehicle, plate=plate, place=data["place"], route_name=data["route"])
    return Status(201, complaint)


class ReplyIn(Schema):
    reply: str = Field(min_length=1, max_length=5000)


class VisitIn(Schema):
    satisfaction: Complaint.Satisfaction
    note: str = Field("", max_length=300)


@router.post("/complaints/{item_id}/reply", response={200: ComplaintOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="答复投诉")
def reply(request, item_id: int, payload: ReplyIn):
    complaint = get_scoped(Complaint.objects.all(), request.user, pk=item_id)
    return services.complaint_reply(actor=request.user, complaint=complaint, reply=payload.reply)


@router.post("/complaints/{item_id}/visit", response={200: ComplaintOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="回访")
def visit(request, item_id: int, payload: VisitIn):
    complaint = get_scoped(Complaint.objects.all(), request.user, pk=item_id)
    return services.complaint_return_visit(actor=request.user, complaint=complaint, satisfaction=payload.satisfaction, note=payload.note)


class ImportRowError(Schema):
    row: int
    message: str


class ImportOut(Schema):
    rows: int
    created: list[str]
    errors: list[ImportRowError]


@router.post("/import", response={200: ImportOut, 400: ErrorOut, 403: ErrorOut}, summary="导入热线工单（XLSX）")
def import_xlsx(request, file: File[UploadedFile], default_channel: Form[str] = "12345"):
    if default_channel not in Channel.values:
        raise DomainError("invalid_channel", "默认渠道不正确。")
    result = services.complaint_import_xlsx(actor=request.user, organisation=own_organisation(request.user), file=file, default_channel=default_channel)
    return {"rows": result.rows, "created": [c.number for c in result.created],
            "errors": [{"row": r, "message": m} for r, m in result.errors]}


class KpiOut(Schema):
    received: int
    instant: int
    instant_rate: float | None
    due: int
    on_time: int
    on_time_rate: float | None
    visited: int
    satisfied: int
    satisfaction_rate: float | None


@router.get("/kpis", response=KpiOut, summary="投诉办理指标（即时答复率、限时办结率、回访满意率）")
def kpis(request, start: date, end: date):
    k = selectors.complaint_kpis(selectors.complaints_in_period(request.user, start=start, end=end))
    as_float = lambda v: float(v) if v is not None else None  # noqa: E731
    return {"received": k.received, "instant": k.instant, "instant_rate": as_float(k.instant_rate), "due": k.due, "on_time": k.on_time,
            "on_time_rate": as_float(k.on_time_rate), "visited": k.visited, "satisfied": k.satisfied,
            "satisfaction_rate": as_float(k.satisfaction_rate)}


@router.get("/analysis/{by}", response={200: list[tuple[str, int]], 422: ErrorOut}, summary="高频分析（category/firm/route/month/channel）")
def analysis(request, by: str, start: date, end: date):
    if by not in ("category", "firm", "route", "month", "channel"):
        raise DomainError("invalid_dimension", "分析维度应为 category、firm、route、month 或 channel。", status=422)
    return selectors.complaint_breakdown(selectors.complaints_in_period(request.user, start=start, end=end), by)
