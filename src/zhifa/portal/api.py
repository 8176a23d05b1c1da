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
