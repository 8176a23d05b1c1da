"""REST API of credit: a party's grade with its history, and the serious-dishonesty list (jurisdiction-scoped)."""

from datetime import date

from ninja import Query, Router, Schema

from zhifa.core.models import Party
from zhifa.core.pagination import keyset
from zhifa.core.selectors import get_scoped

from . import selectors

router = Router(tags=["credit"])


class ErrorOut(Schema):
    code: str
    message: str


class ChangeOut(Schema):
    from_grade: str
    to_grade: str
    score: int
    reasons: list[str]
    changed_on: date


class GradeOut(Schema):
    party_id: int
    grade: str
    score: int | None
    bad_points: int | None
    penalties_12m: int | None
    rule_set: str | None
    changes: list[ChangeOut]


class EntryOut(Schema):
    id: int
    party_id: int
    reason: str
    basis: str
    source: str
    status: str
    listed_on: date
    removed_on: date | None


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: int | None = None


@router.get("/parties/{party_id}/grade", response={200: GradeOut, 404: ErrorOut}, summary="企业信用等级与变更记录")
def party_grade(request, party_id: int):
    party = get_scoped(Party.objects.all(), request.user, pk=party_id)
    g = getattr(party, "credit_grade", None) if hasattr(party, "credit_grade") else None
    return {"party_id": party.pk, "grade": g.grade if g else "B", "score": g.score if g else None, "bad_points": g.bad_points if g else None,
            "penalties_12m": g.penalties_12m if g else None, "rule_set": g.rule_set.version if g else None,
            "changes": list(party.grade_changes.all()[:50])}


@router.get("/dishonesty/", response=EntryPage, summary="严重失信主体名单")
def dishonesty(request, after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.dishonesty_for(request.user), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}
