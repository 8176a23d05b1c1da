"""API of the publication register: the public list of published decisions (no login, de-identified fields
only) and the officers' scoped register."""

from datetime import date

from ninja import Router, Schema

from zhifa.core.pagination import keyset

from . import selectors

router = Router(tags=["portal"])


class PublicDecisionOut(Schema):
    id: int
    kind: str
    title: str
    decision_number: str
    party: str
    body: list
    decided_on: date
    published_on: date | None
    public_until: date
    organisation: str


class PublicationOut(PublicDecisionOut):
    status: str
    due_on: date
    is_late: bool
    withdrawn_on: date | None
    withdraw_late: bool
    flags: list


class DecisionPage(Schema):
    items: list[PublicDecisionOut]
    next_cursor: int | None = None


class PublicationPage(Schema):
    items: list[PublicationOut]
    next_cursor: int | None = None


def _out(p) -> dict:
    return {"id": p.pk, "kind": p.kind, "title": p.title, "decision_number": p.decision_number, "party": p.party_display,
            "body": p.body, "decided_on": p.decided_on, "published_on": p.published_on, "public_until": p.public_until,
            "organisation": p.organisation.enforcement_body().name, "status": p.status, "due_on": p.due_on, "is_late": p.is_late,
            "withdrawn_on": p.withdrawn_on, "withdraw_late": p.withdraw_late, "flags": p.flags}


@router.get("/public/decisions", response=DecisionPage, auth=None)
def public_decisions(request, q: str = "", kind: str = "", after: int | None = None, limit: int = 50):
    """Published decisions (事后公开), de-identified; keyset-paginated by id."""
    rows, cursor = keyset(selectors.public_publications(search=q[:50], kind=kind), after=after, limit=limit)
    return {"items": [_out(p) for p in rows], "next_cursor": cursor}


@router.get("/publications", response=PublicationPage)
def publications(request, status: str = "", late: bool = False, after: int | None = None, limit: int = 50):
    """The publication register of the caller's jurisdiction, with deadlines and late flags."""
    rows, cursor = keyset(selectors.publications_for(request.user, status=status, late=late), after=after, limit=limit)
    return {"items": [_out(p) for p in rows], "next_cursor": cursor}


class ExportOut(Schema):
    layout: str
    dry_run: bool
    batch: int | None = None
    counts: dict
    rows: list[dict]
    errors: list[dict]


class ReceiptIn(Schema):
    accepted: list[str] = []
    rejected: dict[str, str] = {}


class BatchOut(Schema):
    id: int
    layout: str
    rows: int
    new: int
    changed: int
    withdrawn: int
    accepted: int
    rejected: int
    outstanding: int
    reconciled: bool


def _export(request, layout: str, dry_run: bool) -> dict:
    from zhifa.core.errors import NotPermitted
    from zhifa.core.roles import Role, has_role

    from . import credit_export

    if not has_role(request.user, Role.OFFICER, Role.HEAD, Role.ADMIN, Role.SUPERVISOR):
        raise NotPermitted("not_permitted", "无权查看双公示导出。")
    result = credit_export.export(actor=None if dry_run else request.user, organisation=request.user.organisation,
                                  publications=selectors.publications_for(request.user), layout=layout, file_format="json",
                                  dry_run=dry_run)
    return {"layout": layout, "dry_run": dry_run, "batch": result.batch.pk if result.batch else None, "counts": result.counts,
            "rows": result.rows, "errors": result.errors}


@router.get("/export/preview", response=ExportOut)
def export_preview(request, layout: str = "penalty"):
    """Dry run of the 双公示 export: the rows the next export would send (new, changed, withdrawn) and those it would
    hold back. Changes nothing."""
    return _export(request, layout, True)


@router.post("/export", response=ExportOut)
def export_send(request, layout: str = "penalty"):
    """Export the changes since the last batch and record them as sent (a batch, each row's state, the audit record)."""
    return _export(request, layout, False)


@router.post("/export/batches/{batch_id}/receipt", response=BatchOut)
def export_receipt(request, batch_id: int, payload: ReceiptIn):
    """Apply the credit platform's receipt to a batch: accepted and rejected rows by 本地编号."""
    from zhifa.core.selectors import get_scoped

    from . import credit_export
    from .models import ExportBatch

    batch = get_scoped(ExportBatch.objects.all(), request.user, pk=batch_id)
    b = credit_export.reconcile(actor=request.user, batch=batch, accepted=payload.accepted, rejected=payload.rejected)
    return {"id": b.pk, "layout": b.layout, "rows": b.rows, "new": b.new, "changed": b.changed, "withdrawn": b.withdrawn,
            "accepted": b.accepted, "rejected": b.rejected, "outstanding": b.outstanding, "reconciled": b.reconciled_at is not None}
