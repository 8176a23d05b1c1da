"""API of the permit register: scoped list and detail, window statistics."""

from datetime import date

from django.utils import timezone
from ninja import Router, Schema

from zhifa.core import audit
from zhifa.core.pagination import keyset
from zhifa.core.selectors import get_scoped

from . import selectors, services

router = Router(tags=["permits"])


class ApplicationOut(Schema):
    id: int
    number: str
    organisation_id: int
    item_code: str
    item_name: str
    applicant_name: str
    status: str
    submitted_on: date
    accepted_on: date | None
    statutory_due: date | None
    committed_due: date | None
    due_confirmed: bool
    decided_on: date | None
    decision_number: str
    certificate_number: str
    on_time: bool | None


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_cursor: int | None = None


class StatsOut(Schema):
    received: int
    accepted: int
    not_accepted: int
    finished: int
    approved: int
    denied: int
    on_time: int
    on_time_rate: float | None
    open: int
    overdue_open: int


def _out(a) -> dict:
    return {**{f: getattr(a, f) for f in ("id", "number", "organisation_id", "status", "submitted_on", "accepted_on", "statutory_due",
                                          "committed_due", "due_confirmed", "decided_on", "decision_number", "certificate_number", "on_time")},
            "item_code": a.item.code, "item_name": a.item.name, "applicant_name": a.applicant.name}


@router.get("/applications", response=ApplicationPage)
def applications(request, q: str = "", status: str = "", after: int | None = None, limit: int = 50):
    rows, cursor = keyset(selectors.applications_for(request.user, search=q, status=status), after=after, limit=limit)
    return {"items": [_out(a) for a in rows], "next_cursor": cursor}


@router.get("/applications/{pk}", response=ApplicationOut)
def application(request, pk: int):
    app = get_scoped(selectors.applications_for(request.user), request.user, pk=pk)
    if app.applicant.kind == app.applicant.Kind.PERSON:
        audit.log_personal_view(request, app, person=app.applicant.name, what="许可申请人信息")
    return _out(app)


@router.get("/statistics", response=StatsOut)
def statistics(request, start: date, end: date):
    """Window statistics (受理, 办结, 按时办结率) of applications submitted in [start, end]."""
    s = services.window_stats(selectors.applications_for(request.user), start=start, end=end, today=timezone.localdate())
    return {**s.__dict__, "on_time_rate": s.on_time_rate}
