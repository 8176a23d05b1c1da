"""REST API of the training app: keyset lists and details of every register, and the yearly hours per officer."""

from django.utils import timezone
from ninja import Query, Router, Schema

from . import selectors
from .registers import REGISTERS

router = Router(tags=["training"])
REGISTERS.add_api(router)


class OfficerHoursOut(Schema):
    officer_id: int
    name: str
    cert_number: str
    organisation_id: int
    hours: float
    required: float
    is_short: bool


@router.get("/hours", response=list[OfficerHoursOut], summary="执法人员年度业务和法律培训学时（可只列未达标）")
def hours(request, year: int | None = Query(None, ge=2000, le=2100), short: bool = False):
    rows, _ = selectors.officer_hours(request.user, year or timezone.localdate().year)
    return [{"officer_id": r.officer.pk, "name": r.officer.name, "cert_number": r.officer.cert_number, "organisation_id": r.officer.organisation_id,
             "hours": float(r.hours), "required": float(r.required), "is_short": r.is_short} for r in rows if r.is_short or not short]
