"""REST API of coercive measures: the list (keyset), the detail with its period and next actions, starting a
measure (报请批准 or 情况紧急当场实施) and every transition. Views only parse, call one service and serialise."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhifa.core.models import Officer, Vehicle
from zhifa.core.pagination import keyset
from zhifa.core.schemas import ERRORS, ErrorOut
from zhifa.core.selectors import get_scoped, scope

from . import periods, selectors, services, workflow
from .models import Measure, MeasureBasis, MeasurePause

router = Router(tags=["coercion"])


ERR = ERRORS


class ItemIO(Schema):
    name: str = Field(max_length=120)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit: str = Field("件", max_length=12)
    description: str = Field("", max_length=200)


class BasisOut(Schema):
    code: str
    name: str
    kind: str
    legal_basis: str
    period_days: int
    max_extension_days: int
    confirmed: bool


class MeasureOut(Schema):
    id: int
    number: str
    organisation_id: int
    case_id: int
    case_number: str
    party_id: int
    party_name: str
    vehicle_id: int | None
    basis_code: str
    kind: str
    legal_basis: str
    reason: str
    status: str
    status_label: str
    emergency: bool
    no_coercion_listed: bool
    taken_at: datetime | None
    starts_on: date | None
    due_on: date | None
    period_state: str
    decision_number: str
    extended_days: int
    released_on: date | None
    release_reason: str
    disposed_on: date | None

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_party_name(obj):
        return obj.party.name

    @staticmethod
    def resolve_basis_code(obj):
        return obj.basis.code

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_due_on(obj):
        return obj.due_on()

    @staticmethod
    def resolve_period_state(obj):
        return periods.current(obj).state


class MeasureDetailOut(MeasureOut):
    place: str
    officer_ids: list[int]
    items: list[ItemIO]
    custody_place: str
    statement: str
    scene_record: str
    reported_at: datetime | None
    emergency_report_due: datetime | None
    next_actions: list[str]

    @staticmethod
    def resolve_officer_ids(obj):
        return [o.pk for o in obj.officers.all()]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_next_actions(obj):
        return [t.action for t in workflow.next_actions(obj.status)]


class MeasurePage(Schema):
    items: list[MeasureOut]
    next_cursor: int | None = None


def _measure(request, measure_id: int) -> Measure:
    return selectors.measure_get(request.user, measure_id)


def _basis(code: str) -> MeasureBasis:
    return get_object_or_404(MeasureBasis, code=code)


@router.get("/", response=MeasurePage, summary="行政强制措施列表")
def measure_list(request, q: str = Query("", max_length=100), status: str = "", kind: str = "", case_id: int | None = None,
                 after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    qs = selectors.measures_for(request.user, search=q.strip(), status=status, kind=kind, case_id=case_id).prefetch_related("pauses")
    rows, cursor = keyset(qs, after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


@router.get("/bases", response=list[BasisOut], summary="行政强制措施事项及依据")
def bases(request):
    return list(selectors.bases_in_force())


@router.get("/{int:measure_id}", response={200: MeasureDetailOut, 404: ErrorOut}, summary="行政强制措施详情（含期限和可办理事项）")
def measure_detail(request, measure_id: int):
    return _measure(request, measure_id)


class StartIn(Schema):
    case_id: int
    basis_code: str = Field(max_length=40)
    reason: str = Field(max_length=2000)
    place: str = Field("", max_length=200)
    vehicle_id: int | None = None
    no_coercion_reason: str = Field("", max_length=1000)


class SceneIn(Schema):
    taken_at: datetime
    officer_ids: list[int]
    items: list[ItemIO]
    rights_notified: bool
    statement: str = Field(max_length=2000)
    scene_record: str = Field(max_length=5000)
    custody_place: str = Field(max_length=200)
    party_present: bool = True
    witness: str = Field("", max_length=60)
    record_signed: bool = True
    refusal_note: str = Field("", max_length=200)
    custodian: str = Field("", max_length=120)
    place: str = Field("", max_length=200)


class EmergencyIn(StartIn):
    scene: SceneIn


def _scene(request, payload: SceneIn) -> services.Scene:
    officers = list(scope(Officer.objects.all(), request.user).filter(pk__in=payload.officer_ids)) if payload.officer_ids else []
    data = payload.dict(exclude={"officer_ids", "items"})
    return services.Scene(officers=officers, items=[i.dict() for i in payload.items], **data)


def _start_args(request, payload: StartIn) -> dict:
    from zhifa.cases.selectors import case_get

    vehicle = get_scoped(Vehicle.objects.all(), request.user, pk=payload.vehicle_id) if payload.vehicle_id else None
    return {"case": case_get(request.user, payload.case_id), "basis": _basis(payload.basis_code), "reason": payload.reason,
            "place": payload.place, "vehicle": vehicle, "no_coercion_reason": payload.no_coercion_reason}


@router.post("/apply", response={201: MeasureOut, **ERR}, summary="报请批准实施行政强制措施（行政强制法第十八条）")
def apply(request, payload: StartIn):
    return Status(201, services.measure_apply(actor=request.user, **_start_args(request, payload)))


@router.post("/emergency", response={201: MeasureOut, **ERR}, summary="情况紧急当场实施（行政强制法第十九条）")
def emergency(request, payload: EmergencyIn):
    return Status(201, services.measure_take_emergency(actor=request.user, scene=_scene(request, payload.scene), **_start_args(request, payload)))


class OpinionIn(Schema):
    opinion: str = Field("", max_length=300)


@router.post("/{int:measure_id}/approve", response={200: MeasureOut, **ERR}, summary="负责人批准")
def approve(request, measure_id: int, payload: OpinionIn):
    return services.measure_approve(actor=request.user, measure=_measure(request, measure_id), opinion=payload.opinion)


@router.post("/{int:measure_id}/refuse", response={200: MeasureOut, **ERR}, summary="负责人不予批准")
def refuse(request, measure_id: int, payload: OpinionIn):
    return services.measure_refuse(actor=request.user, measure=_measure(request, measure_id), opinion=payload.opinion)


@router.post("/{int:measure_id}/take", response={200: MeasureOut, **ERR}, summary="实施（决定书和清单，行政强制法第十八条、第二十四条）")
def take(request, measure_id: int, payload: SceneIn):
    return services.measure_take(actor=request.user, measure=_measure(request, measure_id), scene=_scene(request, payload))


class NoteIn(Schema):
    note: str = Field("", max_length=300)


@router.post("/{int:measure_id}/report", response={200: MeasureOut, **ERR}, summary="当场实施后报告负责人（二十四小时内）")
def report(request, measure_id: int, payload: NoteIn):
    return services.measure_report(actor=request.user, measure=_measure(request, measure_id), note=payload.note)


@router.post("/{int:measure_id}/confirm", response={200: MeasureOut, **ERR}, summary="负责人补办批准")
def confirm(request, measure_id: int, payload: OpinionIn):
    return services.measure_confirm(actor=request.user, measure=_measure(request, measure_id), opinion=payload.opinion)


class ExtendIn(Schema):
    days: int = Field(ge=1, le=365)
    reason: str = Field(max_length=2000)


@router.post("/{int:measure_id}/extend", response={200: MeasureOut, **ERR}, summary="延长期限（一次，行政强制法第二十五条）")
def extend(request, measure_id: int, payload: ExtendIn):
    return services.measure_extend(actor=request.user, measure=_measure(request, measure_id), days=payload.days, reason=payload.reason)


class PauseIn(Schema):
    reason: MeasurePause.Reason
    started_on: date
    notified_on: date
    note: str = Field("", max_length=200)


class ResumeIn(Schema):
    ended_on: date


@router.post("/{int:measure_id}/pause", response={200: MeasureOut, **ERR}, summary="检测、检验、检疫或者技术鉴定（期间不计入）")
def pause(request, measure_id: int, payload: PauseIn):
    measure = _measure(request, measure_id)
    services.measure_pause(actor=request.user, measure=measure, **payload.dict())
    return _measure(request, measure_id)


@router.post("/{int:measure_id}/resume", response={200: MeasureOut, **ERR}, summary="检测鉴定结束，恢复计算期限")
def resume(request, measure_id: int, payload: ResumeIn):
    services.measure_resume(actor=request.user, measure=_measure(request, measure_id), ended_on=payload.ended_on)
    return _measure(request, measure_id)


class ReleaseIn(Schema):
    reason: Measure.ReleaseReason
    note: str = Field("", max_length=1000)
    released_on: date | None = None
    returned_to: str = Field("", max_length=120)


@router.post("/{int:measure_id}/release", response={200: MeasureOut, **ERR}, summary="解除（行政强制法第二十八条）")
def release(request, measure_id: int, payload: ReleaseIn):
    return services.measure_release(actor=request.user, measure=_measure(request, measure_id), **payload.dict())


class DisposeIn(Schema):
    note: str = Field(max_length=1000)
    decision_number: str = Field("", max_length=60)


@router.post("/{int:measure_id}/dispose", response={200: MeasureOut, **ERR}, summary="依处理决定没收（行政强制法第二十七条）")
def dispose(request, measure_id: int, payload: DisposeIn):
    return services.measure_dispose(actor=request.user, measure=_measure(request, measure_id), **payload.dict())
