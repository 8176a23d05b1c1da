"""REST API of the integrations app: the inbound work order of the 12345/12328 platforms (docs/integrations/
hotline.md). The platform calls with an API token of an account of the receiving unit; the answer is the
acknowledgement it keeps (our reference); the reply comes back later through the outbox."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from zhifa.core.schemas import ErrorOut

from . import provincial, services

router = Router(tags=["integrations"])


class WorkOrderIn(Schema):
    channel: str = Field(..., description="12345 或 12328")
    work_order_id: str = Field(..., max_length=40, description="平台工单编号（幂等键）")
    content: str = Field(..., min_length=1, max_length=5000)
    category: str = "other"
    received_at: datetime | None = None
    complainant_name: str = Field("", max_length=50)
    complainant_phone: str = Field("", max_length=30)
    place: str = Field("", max_length=120)
    plate: str = Field("", max_length=16)
    firm_name: str = Field("", max_length=120)


class WorkOrderAckOut(Schema):
    result: str  # accepted | duplicate
    reference: str
    status: str
    handling_unit: str
    due_on: str


@router.post("/hotline/work-orders", response={200: WorkOrderAckOut, 201: WorkOrderAckOut, 400: ErrorOut, 403: ErrorOut,
                                                409: ErrorOut}, summary="接收热线平台推送的工单")
def work_order_push(request, payload: WorkOrderIn):
    ack = services.work_order_receive(actor=request.user, **payload.dict())
    c = ack.complaint
    out = {"result": "duplicate" if ack.duplicate else "accepted", "reference": c.number, "status": c.status,
           "handling_unit": c.organisation.name, "due_on": c.due_on.isoformat()}
    return Status(200 if ack.duplicate else 201, out)


class OverloadNetDownloadIn(Schema):
    """One of the three: the vehicle, the driver or the transport company (ids of our registers)."""

    vehicle_id: int | None = None
    driver_id: int | None = None
    company_id: int | None = None


class OverloadNetDownloadOut(Schema):
    received: int
    created: int
    updated: int
    unchanged: int
    merged: int
    own: int
    rejected: int
    errors: list[str]


@router.post("/overload-net/download", response={200: OverloadNetDownloadOut, 400: ErrorOut, 403: ErrorOut,
                                                 404: ErrorOut, 502: ErrorOut},
             summary="从四级联网下载车辆、驾驶员或运输企业的超限记录（计入一超四罚）")
def overload_net_download(request, payload: OverloadNetDownloadIn):
    from . import overload_net

    subject = overload_net.subject_for(request.user, **payload.dict())
    return overload_net.download(actor=request.user, **subject)
class WarningPushIn(Schema):
    warning_id: str = Field(..., max_length=64, description="省平台预警编号（幂等键）")
    warning_class: int = Field(..., ge=1, le=3, description="预警类别：1 一类、2 二类、3 三类")
    category: str = Field(..., max_length=60)
    description: str = Field(..., max_length=500)
    occurred_at: datetime
    credit_code: str = Field("", max_length=18, description="涉及企业统一社会信用代码")
    plate: str = Field("", max_length=12)
    receiving_unit: str = Field("", max_length=40, description="承办单位机构编码（缺省为接口账号所在单位）")


class WarningAckOut(Schema):
    result: str  # accepted | duplicate
    reference: str
    status: str
    handling_unit: str
    received_on: str


@router.post("/warnings", response={200: WarningAckOut, 201: WarningAckOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             summary="接收省平台推送的预警抄告（一、二、三类）")
def warning_push(request, payload: WarningPushIn):
    ack = provincial.warning_receive(actor=request.user, **payload.dict())
    w = ack.warning
    out = {"result": "duplicate" if ack.duplicate else "accepted", "reference": str(w.pk), "status": w.status,
           "handling_unit": w.organisation.name, "received_on": w.received_on.isoformat()}
    return Status(200 if ack.duplicate else 201, out)
