"""REST API for the core registers: list (keyset-paginated, searchable), detail, create; the calendar; the
audit chain. Every read goes through the jurisdiction selectors (another jurisdiction's object is a 404)."""

from datetime import date

from ninja import Field, Query, Router, Schema, Status

from . import audit, legal_calendar, selectors, services
from .errors import DomainError
from .identifiers import IdType
from .kit import own_organisation
from .models import Driver, Officer, Party
from .pagination import keyset
from .roles import Role, has_role
from .schemas import ErrorOut

router = Router(tags=["core"])


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str


class OfficerOut(Schema):
    id: int
    name: str
    organisation_id: int
    cert_number: str
    cert_status: str
    certificate_state: str
    cert_issued_on: date
    cert_expires_on: date
    annual_review_on: date | None
    legal_qualification: bool


class PartyOut(Schema):
    id: int
    organisation_id: int
    kind: str
    name: str
    id_type: str
    id_number: str
    credit_code: str
    legal_representative: str
    legal_rep_id_type: str
    phone: str
    address: str


class PartyListOut(PartyOut):
    """A list row: the ID number masked as on the register page (lists are not recorded as personal-data views;
    the full record comes from the detail endpoint, which is)."""

    @staticmethod
    def resolve_id_number(obj):
        return obj.masked_identifier if obj.kind == Party.Kind.PERSON else obj.id_number


class PartyIn(Schema):
    kind: Party.Kind
    name: str = Field(min_length=1, max_length=120)
    id_type: str = Field(IdType.ID_CARD, description="证件类型：" + "、".join(f"{k} {v}" for k, v in IdType.CHOICES))
    id_number: str = Field("", max_length=18)
    credit_code: str = Field("", max_length=18)
    legal_representative: str = Field("", max_length=50)
    legal_rep_id_type: str = Field(IdType.ID_CARD)
    legal_rep_id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)


class VehicleOut(Schema):
    id: int
    organisation_id: int
    plate: str
    plate_colour: str
    vehicle_type: str
    axle_count: int
    is_combination: bool
    owner_id: int
    company_id: int | None
    transport_cert_number: str
    transport_cert_status: str


class VehicleIn(Schema):
    plate: str = Field(max_length=12)
    plate_colour: str = Field(max_length=16)
    vehicle_type: str = Field(max_length=40)
    axle_count: int = Field(2, ge=2, le=12)
    is_combination: bool = False
    owner_id: int
    transport_cert_number: str = Field("", max_length=32)


class DriverOut(Schema):
    id: int
    organisation_id: int
    name: str
    qualification_number: str
    qualification_status: str
    company_id: int | None


class CompanyOut(Schema):
    id: int
    organisation_id: int
    name: str
    credit_code: str
    kind: str
    licence_number: str
    licence_status: str


class SourceUnitOut(Schema):
    id: int
    organisation_id: int
    name: str
    credit_code: str
    kind: str


def _list_endpoint(path: str, out, selector, summary: str, list_out=None):
    class PageOut(Schema):
        items: list[list_out or out]
        next_cursor: int | None = None

    PageOut.__name__ = f"{out.__name__}Page"

    @router.get(path, response=PageOut, summary=summary, operation_id=f"list_{path.strip('/')}")
    def _list(request, q: str = Query("", max_length=100), after: int | None = None, limit: int = Query(50, ge=1, le=200)):
        rows, cursor = keyset(selector(request.user, search=q.strip()), after=after, limit=limit)
        return {"items": rows, "next_cursor": cursor}

    @router.get(path + "{item_id}", response={200: out, 404: ErrorOut}, summary=summary + "详情", operation_id=f"get_{path.strip('/')}")
    def _detail(request, item_id: int):
        obj = selectors.get_scoped(selector(request.user), request.user, pk=item_id)
        if isinstance(obj, Party | Driver):  # shown unmasked: the view is recorded
            audit.log_personal_view(request, obj, person=obj.name, what="当事人信息" if isinstance(obj, Party) else "驾驶员信息")
        return obj


_list_endpoint("/officers/", OfficerOut, selectors.officers_for, "执法人员")
_list_endpoint("/parties/", PartyOut, selectors.parties_for, "当事人", list_out=PartyListOut)
_list_endpoint("/vehicles/", VehicleOut, selectors.vehicles_for, "车辆")
_list_endpoint("/drivers/", DriverOut, selectors.drivers_for, "驾驶员")
_list_endpoint("/companies/", CompanyOut, selectors.companies_for, "运输企业")
_list_endpoint("/source-units/", SourceUnitOut, selectors.source_units_for, "货运源头单位")


@router.get("/organisations/", response=list[OrganisationOut], summary="机构（本辖区）")
def organisations(request):
    return list(selectors.organisations_for(request.user)[:1000])


@router.post("/parties/", response={201: PartyOut, 400: ErrorOut, 403: ErrorOut, 422: dict}, summary="登记当事人")
def party_create(request, payload: PartyIn):
    party = services.party_create(actor=request.user, organisation=own_organisation(request.user), **payload.dict())
    return Status(201, party)


@router.post("/vehicles/", response={201: VehicleOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: dict}, summary="登记车辆")
def vehicle_create(request, payload: VehicleIn):
    data = payload.dict()
    owner = selectors.get_scoped(Party.objects.all(), request.user, pk=data.pop("owner_id"))
    vehicle = services.vehicle_create(actor=request.user, organisation=own_organisation(request.user), owner=owner, **data)
    return Status(201, vehicle)


class CertificateIn(Schema):
    cert_status: Officer.CertStatus


@router.post("/officers/{item_id}/certificate", response={200: OfficerOut, 403: ErrorOut, 404: ErrorOut, 422: dict}, summary="变更执法证状态")
def officer_certificate(request, item_id: int, payload: CertificateIn):
    officer = selectors.get_scoped(Officer.objects.all(), request.user, pk=item_id)
    return services.officer_update(actor=request.user, officer=officer, cert_status=payload.cert_status)


class DeadlineOut(Schema):
    date: date
    confirmed: bool
    unconfirmed_years: list[int]


@router.get("/calendar/add-working-days", response=DeadlineOut, summary="工作日推算（行政处罚法第八十五条）")
def add_working_days(request, start: date, days: int = Query(..., ge=0, le=1000)):
    d = legal_calendar.add_working_days(start, days)
    return {"date": d.date, "confirmed": d.confirmed, "unconfirmed_years": list(d.unconfirmed_years)}


class YearStatusOut(Schema):
    year: int
    confirmed: bool
    in_package: bool
    overrides: int
    statutory: list[str] = []  # the statutory holidays counted while the year has no official arrangement


@router.get("/calendar/years/{year}", response=YearStatusOut, summary="年度放假安排是否已确认")
def calendar_year(request, year: int):
    if not 1990 <= year <= 2100:
        raise DomainError("invalid_year", "年份应在1990至2100之间。", status=422)
    return legal_calendar.year_status(year)


class EventOut(Schema):
    seq: int
    occurred_at: str
    actor_name: str
    officer_number: str
    organisation_name: str
    subject_type: str
    subject_id: str
    action: str
    summary: str
    changes: dict
    hash: str

    @staticmethod
    def resolve_occurred_at(obj):
        return obj.occurred_at.isoformat()


class VerifyOut(Schema):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None
    reason: str
    problems: list[str]  # checkpoints not matched, business rows changed outside the record, triggers missing
    rows_checked: int
    checkpoints_checked: int


@router.post("/audit/verify", response={200: VerifyOut, 403: ErrorOut}, summary="校验全过程记录（哈希链、密钥签名、检查点与业务数据）")
def audit_verify(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        raise DomainError("forbidden", "只有法制监督人员或管理员可以校验记录链。", status=403)
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "head_seq": result.head_seq, "head_hash": result.head_hash,
            "broken_seq": result.broken_seq, "reason": result.reason, "problems": result.problems,
            "rows_checked": result.rows_checked, "checkpoints_checked": result.checkpoints_checked}


@router.get("/parties/{item_id}/history", response={200: list[EventOut], 404: ErrorOut}, summary="当事人全过程记录")
def party_history(request, item_id: int):
    party = selectors.get_scoped(Party.objects.all(), request.user, pk=item_id)
    audit.log_personal_view(request, party, person=party.name, what="当事人的全过程记录")
    return list(audit.history(party))
